// The parts of one user's object, wired together once per wake: what the
// frame handlers (./frames/) and the RPC modules work with. The object class
// (../user-object.ts) only holds one of these and hands events over.

import type { Message } from "../../shared/protocol";
import { userDb } from "../../shared/shards";
import { type ActionWindows, actionWindows } from "../action-windows";
import type { InboxItem } from "../inbox";
import { AlarmScheduler } from "../storage/alarm";
import { archiveConfig } from "../storage/archive-config";
import { MessageIdClock } from "../storage/id-clock";
import { Meta } from "../storage/meta";
import { Outbox } from "../storage/outbox";
import { migrate } from "../storage/schema";
import { WriteBatch } from "../storage/write-batch";
import type { UserObject } from "../user-object";
import { Blocks } from "./blocks";
import { Counters } from "./counters";
import { DirectSend } from "./direct-send";
import { GroupAcks } from "./group-acks";
import { GroupChats } from "./group-chats";
import { GroupReads } from "./group-reads";
import { HostedPush } from "./hosted-push";
import { HostedReceipts } from "./hosted-receipts";
import { Mailbox } from "./mailbox";
import { MailboxArchive, MailboxArchiveAlarm } from "./mailbox-archive";
import { MailboxArchiveReads } from "./mailbox-archive-reads";
import { MediaOwner } from "./media-owner";
import { ChatMutes } from "./mutes";
import { PeerLog } from "./peer-log";
import { PeerPositions } from "./peer-positions";
import { PresenceHub } from "./presence-hub";
import { frameBucket, type TokenBucket } from "./rate-limit";
import { ReceiptGather, receiptItem } from "./receipt-gather";
import { USER_SCHEMA } from "./schema";
import { heldSeq, SeqHold } from "./seq-hold";
import { PushSubscriptions, pushOffline, type ReactionNews } from "./web-push";

/** Beyond the delete window, before a message may be archived (a change delivered late, the outbox's retries). */
const ARCHIVE_MARGIN_MS = 3_600_000;

export class UserParts {
  readonly userId: string;
  readonly meta: Meta;
  readonly mailbox: Mailbox;
  /** This user's groups: positions in their logs, no copy of their messages (./group-chats.ts). */
  readonly groups: GroupChats;
  /** Keeps the greatest seq handed out in the sockets' attachments (./seq-hold.ts). */
  readonly seqHold: SeqHold;
  readonly groupReads: GroupReads;
  readonly groupAcks: GroupAcks;
  /** One-to-one receipts, gathered a moment before the outbox (./receipt-gather.ts). */
  readonly receipts = new ReceiptGather(() => void this.flushReceipts());
  /** A hosted chat's receipts as positions: the host's to its guests, the peer's held here (./hosted-receipts.ts). */
  readonly hostedReceipts: HostedReceipts;
  readonly peerPositions: PeerPositions;
  readonly outbox: Outbox;
  /** The mailbox as the outbox of one-to-one messages (./peer-log.ts). */
  readonly peers: PeerLog;
  readonly alarms: AlarmScheduler;
  readonly ids: MessageIdClock;
  readonly presence: PresenceHub;
  /** The per-user frame budget (./frames/intake.ts). */
  readonly frames: TokenBucket;
  readonly blocks: Blocks;
  readonly mutes: ChatMutes;
  readonly pushSubs: PushSubscriptions;
  readonly windows: ActionWindows;
  /** Writes of sends, acknowledgements and deliveries, committed in batches (see storage/write-batch). */
  readonly writes: WriteBatch;
  /** One-to-one sends (./direct-send.ts). */
  readonly direct: DirectSend;
  /** The media this user uploaded (./media-owner.ts). */
  readonly media: MediaOwner;
  /** Old pages of the mailbox in R2 (./mailbox-archive.ts), when they go and how they are read. */
  readonly archive: MailboxArchive;
  readonly archiving: MailboxArchiveAlarm;
  readonly archiveReads: MailboxArchiveReads;
  private turns: Promise<void> = Promise.resolve();
  /** Stubs are kept per target (idFromName hashes the name on every call); a failed call drops its stub. */
  private readonly stubs = new Map<string, DurableObjectStub<UserObject>>();

  constructor(
    readonly ctx: DurableObjectState,
    /** Read at each use where it matters (tests swap it). */
    public env: Env,
    self: UserObject,
  ) {
    const name = ctx.id.name;
    if (!name) throw new Error("UserObject must be addressed with idFromName(userId)");
    this.userId = name;
    this.frames = frameBucket(env.FRAME_RATE);
    const sql = ctx.storage.sql;
    migrate(ctx.storage, USER_SCHEMA);
    this.meta = new Meta(sql);
    // The seq and the id clock share one meta row (./counters.ts).
    const held = heldSeq(ctx.getWebSockets());
    const counters = new Counters(this.meta, sql, held);
    this.mailbox = new Mailbox(sql, counters, this.userId, (write) => void this.writes.run(write));
    this.mailbox.hostedLog.transaction = (fn) => ctx.storage.transactionSync(fn);
    this.seqHold = new SeqHold(() => ctx.getWebSockets(), held);
    this.groups = new GroupChats(sql, this.meta, this.mailbox, (seq) => this.seqHold.hold(seq));
    this.mailbox.changes.quoted = (id, text) => this.groups.requote(id, text);
    this.blocks = new Blocks(sql);
    this.mutes = new ChatMutes(sql);
    this.pushSubs = new PushSubscriptions(sql);
    this.windows = actionWindows(env);
    // After the chat rows were repaired (./mailbox-chats.ts): their newest own message is the clock's floor.
    counters.atLeast(this.mailbox.chatRows.newestOwn());
    this.ids = new MessageIdClock(this.meta, this.userId, counters);
    this.mailbox.chatRows.writeLater = (job) => void this.writes.run(job);
    this.alarms = new AlarmScheduler(ctx.storage);
    // Nothing younger than a delete for everyone may reach is archived: such a change never meets an archived copy.
    const archiving = archiveConfig(env);
    archiving.minAgeMs = Math.max(archiving.minAgeMs, this.windows.delete + ARCHIVE_MARGIN_MS);
    // Before a page is taken: the peers' confirmations go to the chat rows in memory, where the page's checks read them.
    this.archive = new MailboxArchive(ctx.storage, env.ARCHIVE, this.userId, archiving, this.mailbox.chatRows, () =>
      this.peers.flush(),
    );
    this.archiveReads = new MailboxArchiveReads(this.archive, this.mailbox);
    this.archiving = new MailboxArchiveAlarm(
      this.archive,
      () => this.mailbox.lastSeq,
      (at) => this.alarms.ensureBy(at, "archive"),
    );
    this.media = new MediaOwner({ sql, env, userId: this.userId, alarms: this.alarms });
    // In a chat hosted here, what has a position in the log goes as entries (./hosted-push.ts).
    const push = new HostedPush({ userId: this.userId, sql, mailbox: this.mailbox });
    const deliver = (target: string, items: InboxItem[]) =>
      push.deliver(target, items, this.userStub(target)).catch((err: unknown) => {
        this.stubs.delete(target);
        throw err;
      });
    this.outbox = new Outbox(
      sql,
      deliver,
      (time) => this.alarms.ensureBy(time, "outbox"),
      () => this.alarms.release("outbox"),
    );
    this.peers = new PeerLog(
      this.mailbox,
      deliver,
      (time, net) => (net ? this.alarms.ensureNet(time, "peers") : this.alarms.ensureBy(time, "peers")),
      () => this.alarms.release("peers"),
    );
    // Confirmed outbox rows are deleted, and confirmed positions stored, with
    // the next batch of writes (or by the alarm, or when the last device leaves).
    this.writes = new WriteBatch(
      () => ctx.storage.sync(),
      () => {
        this.outbox.flushConfirmed();
        this.peers.flush();
        this.mailbox.held.write();
        this.archiving.wrote();
        this.restateSafetyNets();
      },
      () => sql.exec<{ n: number }>("SELECT total_changes() AS n").one().n,
    );
    this.direct = new DirectSend({
      userId: this.userId,
      db: (id) => userDb(this.env, id),
      mailbox: this.mailbox,
      ids: this.ids,
      peers: this.peers,
      blocks: this.blocks,
      writes: this.writes,
      sockets: () => ctx.getWebSockets(),
      archive: this.archiveReads,
    });
    this.groupReads = new GroupReads({
      userId: this.userId,
      env,
      groups: this.groups,
      mailbox: this.mailbox,
      writes: (job, wrote) => this.writes.run(job, wrote),
      sockets: () => ctx.getWebSockets(),
    });
    this.groupAcks = new GroupAcks({
      userId: this.userId,
      env,
      groups: this.groups,
      inMailbox: (id) => this.mailbox.lookup.chatOf(id) !== null,
    });
    this.hostedReceipts = new HostedReceipts({
      userId: this.userId,
      sql,
      mailbox: this.mailbox,
      guest: (id) => this.userStub(id),
      forget: (id) => this.stubs.delete(id),
    });
    this.peerPositions = new PeerPositions(sql, this.userId, () => this.mailbox.held.write());
    this.presence = new PresenceHub({
      ctx,
      env,
      userId: this.userId,
      meta: this.meta,
      isContact: (id) => this.mailbox.isContact(id),
      hidesFrom: (viewer) => this.blocks.has(viewer),
      userExists: (id) => this.direct.exists(id),
      peer: (id) => (id === this.userId ? self : this.userStub(id)),
      wakeBy: (time) => this.alarms.ensureBy(time, "presence"),
      idle: () => {
        // Confirmed rows wait for a write batch or the alarm: going quiet, delete them now.
        this.outbox.flushConfirmed();
        this.peers.flush();
        this.flushGroups();
        this.mailbox.chatRows.flush();
        this.mailbox.held.write();
        if (this.receipts.size > 0) void this.flushReceipts();
        const waiting = this.media.waiting() || this.archiving.waiting;
        if (this.outbox.nextDue() === null && !this.peers.owed() && !waiting) this.alarms.cancel();
      },
    });
  }

  /** With each batch that commits, the safety nets say when they are due: a near alarm moves, riding it (storage/alarm.ts). */
  private restateSafetyNets(): void {
    const needs = new Map<string, number | null>();
    const outbox = this.outbox.safetyNet();
    const peers = this.peers.safetyNet();
    if (outbox !== undefined) needs.set("outbox", outbox);
    if (peers !== undefined) needs.set("peers", peers);
    if (needs.size > 0) this.alarms.restate(needs);
  }

  /**
   * Runs `job` after every earlier one given here has settled: sends, edits
   * and deletes take turns, so a sender's messages and changes keep their
   * order even when one of them waits (a D1 lookup, the group object).
   */
  inTurn(job: () => Promise<void>): Promise<void> {
    const turn = this.turns.then(job);
    this.turns = turn.catch(() => undefined);
    return turn;
  }

  /** Hands the gathered receipts to the senders (./receipt-gather.ts): straight, the outbox only if that fails. */
  async flushReceipts(): Promise<void> {
    const now = Date.now();
    const bySender = new Map<string, InboxItem[]>();
    for (const { status, group: taken } of this.receipts.take()) {
      // A hosted chat's guest messages go as positions (./hosted-receipts.ts).
      const group = this.hostedReceipts.take(taken, status);
      if (group === null) continue;
      const items = bySender.get(group.sender) ?? [];
      items.push(receiptItem(this.userId, group, status, now));
      bySender.set(group.sender, items);
    }
    const write = (job: () => void) => this.writes.run(job);
    await Promise.all([
      ...[...bySender].map(([sender, items]) => this.outbox.offer(sender, items, write)),
      this.hostedReceipts.flush(now),
    ]);
  }

  /** Web Push (./web-push.ts) for new messages and reactions from others while no device is connected, muted chats aside. */
  pushOffline(messages: Omit<Message, "seq">[], reactions: ReactionNews[] = []): void {
    pushOffline(
      { env: this.env, userId: this.userId, subs: this.pushSubs, mutes: this.mutes, ctx: this.ctx },
      messages,
      reactions,
    );
  }

  /** What waits in memory to be written, written now (the alarm; tests). */
  flushChats(): void {
    this.mailbox.chatRows.flush();
  }

  /**
   * Group positions and runs wait in memory (./group-chats.ts) until
   * FLUSH_EVERY entries were taken, a sender's own message, or the last
   * device leaving: no timer, so a quiet group costs no write per message
   * (docs/groups.md, "What a group message costs").
   */
  private flushGroups(): void {
    if (this.groups.dirty) this.groups.flush();
  }

  private userStub(userId: string): DurableObjectStub<UserObject> {
    let stub = this.stubs.get(userId);
    if (!stub) {
      stub = this.env.USERS.get(this.env.USERS.idFromName(userId));
      this.stubs.set(userId, stub);
    }
    return stub;
  }
}
