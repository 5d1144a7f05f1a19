// One Durable Object per group (idFromName(groupId)): the authority on its
// membership and roles, the group's ordered log, and the fan-out of every
// entry into each member's UserObject. A thin shell: the work happens in
// ./group/*. RPC methods answer Result values, since an Error's code does not
// survive the trip (see shared/errors.ts).
//
// An id that was never created stores nothing: the schema is made by `create`,
// so probing random group ids cannot fill storage with empty groups.

import { DurableObject } from "cloudflare:workers";
import { AppError, ok, type Result, unwrap } from "../shared/errors";
import type { Group, Media } from "../shared/protocol";
import { actionWindows } from "./action-windows";
import { assembleGroup } from "./group/assemble";
import { change, type GroupChange, readersOf } from "./group/changes";
import type { FanOut } from "./group/fanout";
import { addMember, create, info, removeMember } from "./group/membership";
import { type GroupParts, requireReader } from "./group/parts";
import { owedAfter, type PostReply, post } from "./group/post";
import { type PulledPage, pullPage } from "./group/pull";
import { checkAdmin, type GroupPatch, patchGroup, pictureFor, setPicture } from "./group/settings";
import { transact, transactLoading } from "./group/transact";
import { GroupTyping, typingTargets } from "./group/typing";
import type { GroupEntry } from "./group-entry";
import { AlarmScheduler } from "./storage/alarm";

/** A group's counts: members, log entries in SQLite, recipients behind, archived pages and bytes, SQLite size. */
export interface GroupStats {
  members: number;
  log: number;
  behind: number;
  busy: boolean;
  archived: number;
  archivedBytes: number;
  sqliteBytes: number;
}

// The user side takes a pull's page type from here, the object it calls.
export type { PulledPage } from "./group/pull";

export class GroupObject extends DurableObject<Env> {
  private readonly groupId: string;
  private readonly alarms: AlarmScheduler;
  private parts: GroupParts | null = null;
  /** The group has a name, so it was created (see created()). */
  private named = false;
  private readonly typists = new GroupTyping((member, chat, from) =>
    this.env.USERS.get(this.env.USERS.idFromName(member)).relayTyping(chat, from),
  );

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const name = ctx.id.name;
    if (!name) throw new Error("GroupObject must be addressed with idFromName(groupId)");
    this.groupId = name;
    this.alarms = new AlarmScheduler(ctx.storage);
    const sql = ctx.storage.sql;
    const made = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_schema'").toArray();
    if (made.length > 0) this.parts = this.open();
    ctx.blockConcurrencyWhile(() => this.alarms.load());
  }

  private open(): GroupParts {
    return assembleGroup({
      groupId: this.groupId,
      storage: this.ctx.storage,
      env: this.env,
      alarms: this.alarms,
      through: async (read) => unwrap(await this.through(read)),
    });
  }

  /** The group's parts, or unknown_group for an id never created. */
  private group(): GroupParts {
    const parts = this.created();
    if (!parts) throw new AppError("unknown_group", "no such group");
    return parts;
  }

  /**
   * The parts of a group that was created (it has a name), or null. A group
   * is never uncreated, so once seen the answer is kept: every push, ack and
   * read asks, and it was a statement each time.
   */
  private created(): GroupParts | null {
    if (!this.parts) return null;
    if (!this.named) this.named = this.parts.meta.get("name") !== undefined;
    return this.named ? this.parts : null;
  }

  /**
   * The group seen as a chat by a caller who may not be in it: an unknown
   * group answers like a group the caller is not in (not_member), so that the
   * answer says nothing about which groups exist (docs/security.md).
   */
  private asChat(): GroupParts {
    const parts = this.created();
    if (!parts) throw new AppError("not_member", "you are not a member of this chat");
    return parts;
  }

  // ------------------------------------------------------------ RPC

  async create(creator: string, name: string, members: string[]): Promise<Result<Group>> {
    this.parts ??= this.open();
    const parts = this.parts;
    return this.result(() => create(parts, creator, name, members));
  }

  async info(caller: string): Promise<Result<Group>> {
    return this.result(() => info(this.group(), caller));
  }

  async addMember(by: string, user: string): Promise<Result<Group>> {
    return this.result(() => addMember(this.group(), by, user));
  }

  /** Removes `user` (admins), or `by` leaves when user === by. */
  async removeMember(by: string, user: string): Promise<Result<Group>> {
    return this.result(() => removeMember(this.group(), by, user));
  }

  /** Admins change the name and/or description (see group/settings.ts). */
  async patch(by: string, patch: GroupPatch): Promise<Result<Group>> {
    return this.result(() => patchGroup(this.group(), by, patch));
  }

  /** Whether `by` is an admin of this group: asked before a picture's bytes are stored. */
  async mayChange(by: string): Promise<Result<null>> {
    return this.result(() => checkAdmin(this.group(), by));
  }

  /** Admins set (a stored version) or remove (null) the picture; answers the version replaced. */
  async setPicture(by: string, version: string | null): Promise<Result<{ group: Group; previous: string | null }>> {
    return this.result(() => setPicture(this.group(), by, version));
  }

  /** The picture's version: for a member (caller), or unchecked for the Worker's versioned-URL check (null). */
  async picture(caller: string | null): Promise<Result<string | null>> {
    return this.result(() => pictureFor(this.group(), caller));
  }

  /**
   * A member's message, from its own user object (see user/group-send.ts);
   * `after` is the newest entry that object has taken.
   */
  async post(
    sender: string,
    clientId: string,
    text: string,
    replyTo: string | undefined,
    after: string,
    forwarded?: number,
    media?: Media,
  ): Promise<Result<PostReply>> {
    const answer = await this.through(() =>
      post(this.group(), sender, clientId, text, replyTo, after, forwarded, Date.now(), media),
    );
    this.parts?.archiving.posted();
    return answer;
  }

  /** The rest of a post's or change's answer, when it was more than one answer carries (see group/post.ts). */
  async owedAfter(member: string, after: string, upTo: string): Promise<Result<GroupEntry[]>> {
    return this.through(() => owedAfter(this.group(), member, after, upTo));
  }

  /** An edit, a delete for everyone or a reaction, from its author's user object (see user/actions.ts). */
  async change(author: string, clientId: string, request: GroupChange, after: string): Promise<Result<PostReply>> {
    const answer = await this.through(() =>
      change(this.group(), author, clientId, request, actionWindows(this.env), after),
    );
    this.parts?.archiving.posted();
    return answer;
  }

  // ------------------------------------------------------------ reading the log (docs/groups.md)

  /** What `member` may read after log id `after`, with its read position when further than `known` (group/pull.ts). */
  async pull(member: string, after: string, limit: number, known?: string): Promise<Result<PulledPage>> {
    return this.read(member, (g) => pullPage(g, member, after, limit, known));
  }

  /** The entries `member` may read at positions from..to (the content of a sync). */
  async entries(member: string, from: number, to: number): Promise<Result<GroupEntry[]>> {
    return this.read(member, (g) => g.views.range(member, from, to, 1000));
  }

  async history(member: string, before: string | undefined, limit: number): Promise<Result<GroupEntry[]>> {
    return this.read(member, (g) => g.views.history(member, before, limit));
  }

  async search(
    member: string,
    match: string,
    before: string | undefined,
    limit: number,
  ): Promise<Result<GroupEntry[]>> {
    return this.read(member, (g) => g.views.search(member, match, before, limit));
  }

  async message(member: string, id: string): Promise<Result<GroupEntry | null>> {
    return this.read(member, (g) => g.views.message(member, id));
  }

  /** A member's devices got or read the group up to these ids (see group/receipts.ts). */
  async ack(member: string, delivered: string, read: string, upto: string): Promise<Result<{ unread: number | null }>> {
    const answer = await this.read(member, (g) => g.receipts.ack(member, delivered, read, upto));
    // A read is answered once stored, with the others of its window (group/read-marks.ts).
    if (answer.ok && read !== "") await this.parts?.fanout.cursors.reads.stored(member);
    return answer;
  }

  /** For members now and before only; others get what an unknown group gets. */
  private read<T>(member: string, fn: (g: GroupParts) => T): Promise<Result<T>> {
    return this.through(() => {
      const g = this.asChat();
      requireReader(g, member);
      return fn(g);
    });
  }

  /** Who was meant to receive a message `caller` sent (its receipts list). */
  async readers(caller: string, id: string): Promise<Result<string[]>> {
    return this.through(() => readersOf(this.group(), caller, id));
  }

  /** Whether `caller` may read this group's chat (history, message info): a member now or before. */
  async canRead(caller: string): Promise<Result<null>> {
    return this.result(() => {
      requireReader(this.asChat(), caller);
      return null;
    });
  }

  /** A member is typing (from its own object, which throttles it): relayed to the others, not stored. */
  async typing(from: string): Promise<Result<null>> {
    const targets = this.result(() => typingTargets(this.asChat(), from));
    if (!targets.ok) return targets;
    await this.typists.relayTo(`g:${this.groupId}`, targets.value, from);
    return ok(null);
  }

  /** Counts for tests, operators and the benchmark. */
  async stats(): Promise<GroupStats> {
    const g = this.group();
    const { pages: archived, bytes: archivedBytes } = g.archive.index.totals();
    const counts = { members: g.members.count(), log: g.log.count(), behind: g.fanout.behind() };
    return { ...counts, busy: g.fanout.busy, archived, archivedBytes, sqliteBytes: this.ctx.storage.sql.databaseSize };
  }

  /** For tests inside the object (runInDurableObject): the fan-out, to wrap its delivery. */
  get fanout(): FanOut | null {
    return this.parts?.fanout ?? null;
  }

  /** Runs one operation as a transaction, and again once the archived pages it missed are loaded (group/transact.ts). */
  private through<T>(fn: () => T): Promise<Result<T>> {
    return transactLoading(this.ctx, (pages) => this.parts?.archive.shelf.load(pages), fn);
  }

  /** Runs one operation as a transaction: an AppError is the answer, anything else restarts the object. */
  private result<T>(fn: () => T): Result<T> {
    return transact(this.ctx, fn);
  }

  // ------------------------------------------------------------ alarm

  override async alarm(): Promise<void> {
    const due = this.alarms.fired();
    this.parts?.fanout.resume();
    if (due("archive")) await this.parts?.archiving.step();
  }

  /** One step of the archive, as the alarm runs it: for tests and operators (docs/archive.md). */
  async archiveStep(): Promise<"written" | "discarded" | null> {
    return (await this.parts?.archiving.step()) ?? null;
  }
}
