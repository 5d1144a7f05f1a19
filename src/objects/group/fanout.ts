// The group's fan-out: every member's user object must receive every log entry
// of its membership, in log order, exactly once (the mailbox drops ids it has).
//
// Instead of one outbox row per member per message (1,000 rows written and
// deleted for each message in a big group), each recipient has one cursor: the
// last log id its object confirmed. A delivery reads what follows the cursor
// straight from the log, so everything a member is owed travels in one call
// (coalescing), and a confirmed call is one cursor update.
//
// Deliveries run concurrently across members, each member one at a time, so a
// slow or failing member holds one slot and never the others; it backs off and
// the object's alarm brings it back. Members whose object last said no device
// was connected wait in their own lane with few slots: they need the messages
// in their mailbox, not at once, and the longer they wait the more each call
// carries, while members with a device connected get the other slots first.
// See docs/groups.md.

import type { InboxItem } from "../inbox";
import type { GroupLog } from "./log";
import type { Members } from "./members";

/** Hands items to a member's object; the answer says if a device of it is connected. */
export type Deliver = (target: string, items: InboxItem[]) => Promise<{ online: boolean }>;

const BATCH = 200; // log entries per call to one member
const ONLINE_SLOTS = 32; // deliveries in flight to members online (or not known to be offline)
const OFFLINE_SLOTS = 8; // deliveries in flight to members known to be offline
const TIMEOUT_MS = 15_000; // a member that does not answer counts as failed
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 5 * 60_000;
/** A safety net: if the object dies mid-delivery, the alarm resumes this soon. */
export const FANOUT_SAFETY_MS = 5_000;

interface Lane {
  /** Recipients that may be owed something, in the order they became so. */
  queue: Set<string>;
  slots: number;
  inflight: number;
}

export class FanOut {
  private readonly online: Lane = { queue: new Set(), slots: ONLINE_SLOTS, inflight: 0 };
  private readonly offline: Lane = { queue: new Set(), slots: OFFLINE_SLOTS, inflight: 0 };
  private readonly inflight = new Set<string>();
  /** Members whose object said at the last delivery that no device was connected. */
  private readonly away = new Set<string>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly log: GroupLog,
    private readonly members: Members,
    /** Public so that tests can wrap it to inject failures. */
    public deliver: Deliver,
    /** Asks the object's alarm to fire no later than the given time. */
    private readonly wakeBy: (time: number) => void,
  ) {}

  /** A cursor for a new member, just before its first entry; a returning one keeps its own. */
  open(user: string, before: string): void {
    this.sql.exec("INSERT INTO cursors (user_id, acked) VALUES (?, ?) ON CONFLICT(user_id) DO NOTHING", user, before);
  }

  /** Starts delivery to these recipients. Call in the same block as the log write. */
  notify(users: readonly string[], now = Date.now()): void {
    this.wakeBy(now + FANOUT_SAFETY_MS);
    for (const user of users) this.enqueue(user);
    this.pump();
  }

  /** A member that just posted is evidently online. */
  seen(user: string): void {
    this.away.delete(user);
    if (this.offline.queue.delete(user)) this.online.queue.add(user);
  }

  private enqueue(user: string): void {
    if (this.online.queue.has(user)) return;
    (this.away.has(user) ? this.offline : this.online).queue.add(user);
  }

  /** What `user` is owed now, oldest first (at most `limit` entries). */
  owedTo(user: string, limit: number): InboxItem[] {
    const cursor = this.cursor(user);
    return cursor ? this.log.itemsFor(user, cursor.acked, limit) : [];
  }

  /** The alarm's part (and a woken object's): picks up every recipient due. */
  resume(now = Date.now()): void {
    const last = this.log.lastId;
    const due = this.sql
      .exec<{ user_id: string }>("SELECT user_id FROM cursors WHERE acked < ? AND next_at <= ?", last, now)
      .toArray();
    for (const row of due) this.enqueue(row.user_id);
    this.pump();
    const later = this.sql
      .exec<{ at: number | null }>("SELECT min(next_at) AS at FROM cursors WHERE acked < ? AND next_at > ?", last, now)
      .one().at;
    if (later !== null) this.wakeBy(later);
    if (this.busy) this.wakeBy(now + FANOUT_SAFETY_MS);
  }

  get busy(): boolean {
    return this.online.queue.size > 0 || this.offline.queue.size > 0 || this.inflight.size > 0;
  }

  /** Recipients whose cursor is behind the log. */
  behind(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM cursors WHERE acked < ?", this.log.lastId).one().n;
  }

  private pump(): void {
    this.take(this.online);
    this.take(this.offline);
  }

  private take(lane: Lane): void {
    for (const user of lane.queue) {
      if (lane.inflight >= lane.slots) return;
      if (this.inflight.has(user)) continue; // one call per member at a time; it stays queued
      lane.queue.delete(user);
      lane.inflight += 1;
      this.inflight.add(user);
      void this.run(user).finally(() => {
        lane.inflight -= 1;
        this.inflight.delete(user);
        this.pump();
      });
    }
  }

  private cursor(user: string) {
    return this.sql
      .exec<{ acked: string; attempts: number; next_at: number }>(
        "SELECT acked, attempts, next_at FROM cursors WHERE user_id = ?",
        user,
      )
      .toArray()[0];
  }

  private async run(user: string): Promise<void> {
    const cursor = this.cursor(user);
    const now = Date.now();
    if (!cursor || cursor.next_at > now) return; // gone, or backing off until the alarm
    const { items, through: last } = this.log.scanFor(user, cursor.acked, BATCH);
    if (last === null) {
      this.retire(user, cursor.acked);
      return;
    }
    this.wakeBy(now + FANOUT_SAFETY_MS);
    // Entries this member is not owed (changes of messages it never had) only move its cursor.
    let answer: { online: boolean } = { online: !this.away.has(user) };
    try {
      if (items.length > 0) answer = await withTimeout(this.deliver(user, items), TIMEOUT_MS);
    } catch (err) {
      const delay = Math.min(BACKOFF_BASE_MS * 2 ** cursor.attempts, BACKOFF_MAX_MS);
      const retryAt = Date.now() + delay * (0.75 + Math.random() * 0.5);
      this.sql.exec("UPDATE cursors SET attempts = attempts + 1, next_at = ? WHERE user_id = ?", retryAt, user);
      this.wakeBy(retryAt);
      console.warn(JSON.stringify({ event: "fanout_retry", user, items: items.length, error: String(err) }));
      return;
    }
    this.sql.exec(
      "UPDATE cursors SET acked = ?, attempts = 0, next_at = 0 WHERE user_id = ? AND acked < ?",
      last,
      user,
      last,
    );
    if (this.retire(user, last)) return;
    if (answer.online) this.away.delete(user);
    else this.away.add(user);
    // More may be owed (a full batch, or entries added meanwhile); an empty read ends it.
    if (this.log.lastId > last) this.enqueue(user);
  }

  /** Drops what was delivered; a former member owed nothing more loses its cursor. True if it did. */
  private retire(user: string, acked: string): boolean {
    this.members.dropSpansUpTo(user, acked);
    if (this.members.owed(user)) return false;
    this.sql.exec("DELETE FROM cursors WHERE user_id = ?", user);
    this.away.delete(user);
    return true;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    if (timer !== null) clearTimeout(timer);
  });
}
