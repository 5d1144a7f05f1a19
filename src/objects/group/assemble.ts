// The parts of one group object, made and wired together once it exists
// (GroupObject.open): the log and its views, the fan-out, receipts, and the
// archive of old pages (docs/archive.md).

import type { AlarmScheduler } from "../storage/alarm";
import { archiveConfig } from "../storage/archive-config";
import { Meta } from "../storage/meta";
import { migrate } from "../storage/schema";
import type { UserObject } from "../user-object";
import { GroupArchive } from "./archive";
import { ArchiveAlarm } from "./archive-alarm";
import { ArchivedLog } from "./archive-reads";
import { FanOut } from "./fanout";
import { GroupLog } from "./log";
import { Members } from "./members";
import type { GroupParts } from "./parts";
import { GroupReactions } from "./reactions";
import { ReceiptTail } from "./receipt-tail";
import { GroupReceipts } from "./receipts";
import { GROUP_SCHEMA } from "./schema";
import { LogViews } from "./views";

/** Member stubs kept at most (a group's members, typically all of them). */
const STUBS_MAX = 5_000;

export interface GroupHost {
  groupId: string;
  storage: DurableObjectStorage;
  env: Env;
  alarms: AlarmScheduler;
  /** Runs a read that may need archived pages, loading them first (GroupObject.through). */
  through: <T>(read: () => T) => Promise<T>;
}

export function assembleGroup(host: GroupHost): GroupParts {
  const { groupId, storage, env, alarms } = host;
  const sql = storage.sql;
  migrate(sql, GROUP_SCHEMA);
  const meta = new Meta(sql);
  const members = new Members(sql);
  const log = new GroupLog(sql, meta, groupId);
  let fanout: FanOut | null = null;
  const archive = new GroupArchive(storage, env.ARCHIVE, groupId, archiveConfig(env), () =>
    fanout ? deliveredFloor(sql, fanout) : "",
  );
  const archived = new ArchivedLog(archive, sql);
  log.archived = archived;
  const reactions = new GroupReactions(sql);
  const views = new LogViews(sql, log, reactions, archived);
  // A stub per member, kept (idFromName hashes the name at every call, once per delivery); a failed call drops it.
  const stubs = new Map<string, DurableObjectStub<UserObject>>();
  const user = (id: string) => {
    let stub = stubs.get(id);
    if (!stub) {
      if (stubs.size >= STUBS_MAX) stubs.clear();
      stub = env.USERS.get(env.USERS.idFromName(id));
      stubs.set(id, stub);
    }
    return stub;
  };
  const dropOnFailure = <T>(id: string, call: Promise<T>): Promise<T> =>
    call.catch((err: unknown) => {
      stubs.delete(id);
      throw err;
    });
  fanout = new FanOut(
    sql,
    log,
    views,
    members,
    (target, entries, after) => dropOnFailure(target, user(target).takeGroup(groupId, entries, after)),
    (time) => alarms.ensureBy(time, "fanout"),
    host.through,
  );
  const receipts = new GroupReceipts(
    sql,
    log,
    fanout,
    (sender, items) => dropOnFailure(sender, user(sender).accept(items)),
    { members, tail: new ReceiptTail(sql, () => archive.hotStart) },
  );
  fanout.onAcked = (member, delivered, read) => {
    try {
      receipts.ack(member, delivered, read, "");
    } catch (err) {
      console.warn(JSON.stringify({ event: "group_ack_failed", member, error: String(err) }));
    }
  };
  const archiving = new ArchiveAlarm(archive, log, alarms, groupId);
  return { id: groupId, meta, members, log, views, fanout, receipts, reactions, archive, archiving };
}

/**
 * The lowest cursor of any recipient still owed something (null: none):
 * every object took everything up to it, so the archive may take it. The
 * fan-out's marks are in memory where ahead of storage: a member's object
 * that loses what it took pulls it again, through the archive if need be.
 */
function deliveredFloor(sql: SqlStorage, fanout: FanOut): string | null {
  const users = sql.exec<{ user_id: string }>("SELECT user_id FROM cursors WHERE acked != '~'").toArray();
  let floor: string | null = null;
  for (const { user_id } of users) {
    const acked = fanout.marksOf(user_id)?.acked ?? "";
    if (floor === null || acked < floor) floor = acked;
  }
  return floor;
}
