// One Durable Object per user (idFromName(userId)): the user's devices, their
// mailbox and the outbox that hands their messages and receipts to others.
// This class is a thin shell over the hibernation API; the work happens in
// ./user/*. Everything it holds in memory can be lost at any moment (eviction,
// hibernation, a crash) and is rebuilt from SQLite or the sockets' attachments.

import { DurableObject } from "cloudflare:workers";
import { AppError, fail, ok, type Result } from "../shared/errors";
import {
  FRAME_MAX_BYTES,
  FRAME_RATE_BURST,
  FRAME_RATE_PER_SECOND,
  HISTORY_LIMIT_MAX,
  SOCKETS_PER_USER_MAX,
} from "../shared/limits";
import type { MuteState } from "../shared/mute";
import {
  type ChatId,
  type ChatSummary,
  type ClientFrame,
  errorFrame,
  FrameError,
  type LastSeenVisibility,
  type Message,
  type MutedUntil,
  PING,
  PONG,
  type Presence,
  parseChat,
  parseClientFrame,
} from "../shared/protocol";
import type { PushSubscriptionBody } from "../shared/push";
import { userDb } from "../shared/shards";
import { utf8Length } from "../shared/text-rules";
import { type ActionWindows, actionWindows } from "./action-windows";
import type { GroupEntry } from "./group-entry";
import type { InboxItem } from "./inbox";
import { AlarmScheduler } from "./storage/alarm";
import { MessageIdClock } from "./storage/id-clock";
import { Meta } from "./storage/meta";
import { Outbox } from "./storage/outbox";
import { migrate } from "./storage/schema";
import { WriteBatch } from "./storage/write-batch";
import { act } from "./user/actions";
import { Blocks } from "./user/blocks";
import { listChats } from "./user/chat-list";
import { Counters } from "./user/counters";
import { DirectSend } from "./user/direct-send";
import { resolveForward } from "./user/forward";
import { frameError } from "./user/frame-errors";
import { type GroupAccess, requireGroupReader } from "./user/group-access";
import { GroupAcks } from "./user/group-acks";
import { GroupChats } from "./user/group-chats";
import { GroupReads } from "./user/group-reads";
import { type GroupSender, sendToGroup } from "./user/group-send";
import { Mailbox } from "./user/mailbox";
import { type MessageInfo, messageInfo } from "./user/message-info";
import { ChatMutes, muteChat } from "./user/mutes";
import { PeerLog } from "./user/peer-log";
import { HIDDEN, type PresenceView } from "./user/presence";
import { PresenceHub } from "./user/presence-hub";
import { TokenBucket } from "./user/rate-limit";
import { type Reactor, react } from "./user/react";
import { ReceiptGather, receiptItem } from "./user/receipt-gather";
import { USER_SCHEMA } from "./user/schema";
import { type SearchRequest, searchAll } from "./user/search";
import { attach, broadcast, closeIfPending, closeOldest, send, whileSyncing } from "./user/sockets";
import { replay } from "./user/sync";
import type { WatchAnswer } from "./user/watcher";
import { PushSubscriptions, pushOffline } from "./user/web-push";

export class UserObject extends DurableObject<Env> {
  private readonly userId: string;
  private readonly meta: Meta;
  private readonly mailbox: Mailbox;
  /** This user's groups: positions in their logs, no copy of their messages (user/group-chats.ts). */
  private readonly groups: GroupChats;
  private readonly groupReads: GroupReads;
  private readonly groupAcks: GroupAcks;
  private groupFlush: ReturnType<typeof setTimeout> | null = null;
  /** One-to-one receipts, gathered a moment before the outbox (user/receipt-gather.ts). */
  private readonly receipts = new ReceiptGather(() => void this.flushReceipts());
  private readonly outbox: Outbox;
  /** The mailbox as the outbox of one-to-one messages (user/peer-log.ts). */
  private readonly peers: PeerLog;
  private readonly alarms: AlarmScheduler;
  private readonly ids: MessageIdClock;
  private readonly presence: PresenceHub;
  private readonly frames: TokenBucket;
  private readonly blocks: Blocks;
  private readonly mutes: ChatMutes;
  private readonly pushSubs: PushSubscriptions;
  private readonly windows: ActionWindows;
  private sendQueue: Promise<void> = Promise.resolve();
  /** Writes of sends, acknowledgements and deliveries, committed in batches (see storage/write-batch). */
  private readonly writes: WriteBatch;
  /** One-to-one sends (user/direct-send.ts). */
  private readonly direct: DirectSend;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const name = ctx.id.name;
    if (!name) throw new Error("UserObject must be addressed with idFromName(userId)");
    this.userId = name;
    this.frames = frameBucket(env.FRAME_RATE);
    const sql = ctx.storage.sql;
    migrate(ctx.storage, USER_SCHEMA);
    this.meta = new Meta(sql);
    // The seq and the id clock share one meta row (user/counters.ts).
    const counters = new Counters(this.meta, sql);
    this.mailbox = new Mailbox(sql, counters, this.userId);
    this.groups = new GroupChats(sql, this.meta, this.mailbox, () => this.scheduleGroupFlush());
    this.blocks = new Blocks(sql);
    this.mutes = new ChatMutes(sql);
    this.pushSubs = new PushSubscriptions(sql);
    this.windows = actionWindows(env);
    this.ids = new MessageIdClock(this.meta, this.userId, counters);
    this.alarms = new AlarmScheduler(ctx.storage);
    const deliver = (target: string, items: InboxItem[]) =>
      this.userStub(target)
        .accept(items)
        .catch((err: unknown) => {
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
      (time) => this.alarms.ensureBy(time, "peers"),
      () => this.alarms.release("peers"),
    );
    // Confirmed outbox rows are deleted, and confirmed positions stored, with
    // the next batch of writes (or by the alarm, or when the last device leaves).
    this.writes = new WriteBatch(
      () => ctx.storage.sync(),
      () => {
        this.outbox.flushConfirmed();
        this.peers.flush();
      },
    );
    this.direct = new DirectSend({
      userId: this.userId,
      db: (id) => userDb(this.env, id),
      mailbox: this.mailbox,
      counters,
      ids: this.ids,
      peers: this.peers,
      blocks: this.blocks,
      writes: this.writes,
      sockets: () => ctx.getWebSockets(),
    });
    this.groupReads = new GroupReads({
      userId: this.userId,
      env,
      groups: this.groups,
      mailbox: this.mailbox,
      writes: (job) => this.writes.run(job),
      sockets: () => ctx.getWebSockets(),
    });
    this.groupAcks = new GroupAcks({ userId: this.userId, env, groups: this.groups });
    this.presence = new PresenceHub({
      ctx,
      env,
      userId: this.userId,
      meta: this.meta,
      isContact: (id) => this.mailbox.isContact(id),
      hidesFrom: (viewer) => this.blocks.has(viewer),
      userExists: (id) => this.direct.exists(id),
      peer: (id) => (id === this.userId ? this : this.userStub(id)),
      wakeBy: (time) => this.alarms.ensureBy(time, "presence"),
      idle: () => {
        // Confirmed rows wait for a write batch or the alarm: going quiet, delete them now.
        this.outbox.flushConfirmed();
        this.peers.flush();
        this.flushGroups();
        if (this.receipts.size > 0) void this.flushReceipts();
        if (this.outbox.nextDue() === null && !this.peers.owed()) this.alarms.cancel();
      },
    });
    // The runtime answers the heartbeat itself, without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
    ctx.blockConcurrencyWhile(async () => {
      await this.alarms.load();
      // Deliveries cut short by a restart resume now rather than at the alarm (see OUTBOX_SAFETY_MS).
      void Promise.all([this.outbox.retryDue(), this.peers.retryDue()]).catch((err: unknown) => {
        console.warn(JSON.stringify({ event: "outbox_resume_failed", error: String(err) }));
      });
    });
  }

  /** What the group modules (user/group-*.ts) use of this object. */
  private groupSide(): GroupSender {
    return {
      userId: this.userId,
      env: this.env,
      groups: this.groups,
      mailbox: this.mailbox,
      reads: this.groupReads,
      writes: (job) => this.writes.run(job),
      sockets: () => this.ctx.getWebSockets(),
    };
  }

  /** Group positions and runs wait in memory a little (user/group-chats.ts), then one write each. */
  private scheduleGroupFlush(): void {
    this.groupFlush ??= setTimeout(() => {
      this.groupFlush = null;
      void this.writes.run(() => this.flushGroups());
    }, GROUP_FLUSH_MS);
  }

  private flushGroups(): void {
    if (this.groups.dirty) this.groups.flush();
  }

  /** Stubs are kept per target (idFromName hashes the name on every call); a failed call drops its stub. */
  private readonly stubs = new Map<string, DurableObjectStub<UserObject>>();

  private userStub(userId: string): DurableObjectStub<UserObject> {
    let stub = this.stubs.get(userId);
    if (!stub) {
      stub = this.env.USERS.get(this.env.USERS.idFromName(userId));
      this.stubs.set(userId, stub);
    }
    return stub;
  }

  // ------------------------------------------------------------ WebSocket

  /** The Worker forwards an authenticated upgrade here (see workers/socket). */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const sid = request.headers.get("x-session-id");
    if (!sid) return new Response("missing session", { status: 400 });
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [sid]);
    attach(server, { sid, connectedAt: Date.now() });
    closeOldest(this.ctx.getWebSockets(), SOCKETS_PER_USER_MAX);
    this.presence.connected(server);
    this.logCounts("socket_open", request.headers.get("x-request-id"));
    const headers = new Headers();
    const protocol = request.headers.get("x-echo-protocol");
    if (protocol) headers.set("Sec-WebSocket-Protocol", protocol);
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    if (closeIfPending(ws)) return; // closed before its first frame (user/sockets.ts, endSocket)
    let frame: ClientFrame | undefined;
    try {
      this.presence.heard(ws);
      if (data === PING) return send(ws, PONG); // a ping that arrived while awake by another path
      // Every frame counts, malformed, binary and oversized ones too: answering them costs as much.
      // Over the budget, the answer is rate_limited whatever was wrong, with the clientId when readable.
      const allowed = this.frames.take();
      const limited = () => new AppError("rate_limited", "too many frames; slow down");
      const refuse = (err: AppError) => (allowed ? err : limited());
      if (typeof data !== "string") throw refuse(new AppError("bad_frame", "frames must be JSON text"));
      if (overFrameLimit(data)) {
        throw refuse(new AppError("too_large", `frames must be at most ${FRAME_MAX_BYTES} bytes of UTF-8`));
      }
      try {
        frame = parseClientFrame(data);
      } catch (err) {
        throw err instanceof AppError ? refuse(err) : err;
      }
      if (!allowed) throw limited();
      await this.handle(ws, frame);
    } catch (err) {
      // The frame (once read) lends its clientId to the answer; see user/frame-errors.ts.
      send(ws, errorFrame(frameError(err, frame, this.userId)));
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Completes the closing handshake; 1005/1006 are not valid to send back.
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // already closed
    }
    await this.presence.gone(ws, code);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    try {
      ws.close(1011, "socket error");
    } catch {
      // already closed
    }
    await this.presence.gone(ws, null);
  }

  private async handle(ws: WebSocket, frame: ClientFrame): Promise<void> {
    switch (frame.type) {
      case "send":
      case "edit":
      case "delete":
      case "react": {
        // Sends, edits and deletes run one after another, so a sender's
        // messages and changes keep their order even when one of them waits
        // (for example on a D1 lookup or the group object).
        const turn = this.sendQueue.then(() =>
          frame.type === "send"
            ? this.onSend(ws, frame)
            : frame.type === "react"
              ? react(this.actor(), ws, frame)
              : act(this.actor(), ws, frame),
        );
        this.sendQueue = turn.catch(() => undefined);
        return turn;
      }
      case "sync":
        // The groups' part is read first (awaits); the replay itself is one synchronous block.
        return whileSyncing(ws, async () => {
          const groups = await this.groupReads.replayEntries(frame.after);
          replay(this.mailbox, ws, frame.after, frame.batch === true, groups());
        });
      case "received": {
        const ids = this.groupAcks.received(frame.ids);
        if (ids.length === 0) return;
        return this.writes.run(() => this.receipts.add(this.mailbox.markDelivered(ids, Date.now()), "delivered"));
      }
      case "read": {
        const ref = parseChat(frame.chat);
        if (ref.kind === "group") {
          await requireGroupReader(this.access(), ref.id);
          return this.groupAcks.read(frame.chat, frame.upTo);
        }
        return this.writes.run(() =>
          this.receipts.add(this.mailbox.markRead(frame.chat, frame.upTo, Date.now()), "read"),
        );
      }
      case "typing": {
        // Someone this user blocked sees nothing of it, typing included.
        const ref = parseChat(frame.chat);
        if (ref.kind === "user" && this.blocks.has(ref.id)) return;
        return this.presence.typing.typing(frame.chat);
      }
      case "subscribe":
        return this.presence.watcher.subscribe(ws, frame.users);
    }
  }

  // ------------------------------------------------------------ sending

  private async onSend(ws: WebSocket, sent: Extract<ClientFrame, { type: "send" }>): Promise<void> {
    const chat = parseChat(sent.chat);
    // A retry: the same clientId gets the same answer and stores nothing. One
    // look is enough: sends run one at a time (sendQueue), so nothing else
    // can store this clientId between here and storeSend.
    if (this.direct.answerRetry(ws, sent)) return;
    // A forward becomes the source's content and hop count (user/forward.ts).
    const frame = await resolveForward(
      { mailbox: this.mailbox, groups: this.groups, reads: this.groupReads },
      sent,
    ).catch((err: unknown) => {
      throw err instanceof AppError && !(err instanceof FrameError) ? new FrameError(err, sent.clientId) : err;
    });
    if (chat.kind === "group") {
      // The group checks the quote (it holds the one copy of what may be quoted); one of another chat is refused here.
      const elsewhere = frame.replyTo === undefined ? null : this.mailbox.findById(frame.replyTo);
      if (elsewhere && elsewhere.chat !== frame.chat) {
        throw new FrameError(
          new AppError("invalid_reply", "a reply quotes a message of the same chat"),
          frame.clientId,
        );
      }
      return sendToGroup(this.groupSide(), ws, frame, chat.id);
    }
    return this.direct.send(ws, frame, chat.id);
  }

  /** What the action modules (user/actions.ts, user/react.ts) use of this object. */
  private actor(): Reactor {
    return {
      userId: this.userId,
      env: this.env,
      mailbox: this.mailbox,
      groups: this.groups,
      reads: this.groupReads,
      ids: this.ids,
      outbox: this.outbox,
      windows: this.windows,
      sockets: () => this.ctx.getWebSockets(),
      writes: <T>(job: () => T) => this.writes.run(job),
      // A delete for me of an own message its peer has not confirmed: the
      // mailbox row was its delivery's record, so the outbox takes it over.
      beforeForget: (message: Message) => {
        const peer = message.chat.slice(2);
        if (!message.chat.startsWith("u:") || message.from !== this.userId || peer === this.userId) return;
        if (!this.peers.isOwed(peer, message.id)) return;
        this.outbox.enqueue(peer, [this.mailbox.deliverable(message)]);
        void this.outbox.kick(peer);
      },
      blocks: this.blocks,
    };
  }

  /** Hands the gathered receipts to the senders (user/receipt-gather.ts). */
  private flushReceipts(): Promise<void> {
    return this.writes.run(() => {
      const now = Date.now();
      for (const { status, group } of this.receipts.take()) {
        this.outbox.enqueue(group.sender, [receiptItem(this.userId, group, status, now)], now);
        void this.outbox.kick(group.sender);
      }
    });
  }

  // ------------------------------------------------------------ RPC

  /**
   * Other objects deliver messages and receipts here. Idempotent. The answer
   * says whether a device is connected: a group serves online members first.
   */
  async accept(items: InboxItem[]): Promise<{ online: boolean }> {
    // The answer leaves once the batch is committed: the sender forgets the items only then.
    return this.writes.run(() => {
      const frames = this.mailbox.accept(this.blocks.filter(items, this.userId, this.mailbox.changes));
      const sockets = this.ctx.getWebSockets();
      for (const frame of frames) broadcast(sockets, frame);
      if (sockets.length === 0) this.pushOffline(frames.flatMap((f) => (f.type === "message" ? [f.message] : [])));
      return { online: sockets.length > 0 };
    });
  }

  /** Web Push (user/web-push.ts) for new messages from others while no device is connected, muted chats aside. */
  private pushOffline(messages: Omit<Message, "seq">[]): void {
    pushOffline(
      { env: this.env, userId: this.userId, subs: this.pushSubs, mutes: this.mutes, ctx: this.ctx },
      messages,
    );
  }

  /** POST /api/me/push: a browser's push subscription (checked by the Worker). */
  async addPush(sub: PushSubscriptionBody, session: string): Promise<void> {
    this.pushSubs.add(sub, session, Date.now());
  }

  /** DELETE /api/me/push. */
  async removePush(endpoint: string): Promise<void> {
    this.pushSubs.remove(endpoint);
  }

  /**
   * A group pushes what a member has not taken (see group/fanout.ts); `after`
   * is where the group's cursor stood. Further than this object got means it
   * lost entries it had taken (a crash before they were written): it pulls
   * from where it really is. The answer says whether a device is connected.
   */
  async takeGroup(groupId: string, entries: GroupEntry[], after: string): Promise<{ online: boolean }> {
    const chat = `g:${groupId}`;
    // A first push to a new member finds no row either: it pulls its window once.
    if (after > (this.groups.get(chat)?.upto ?? "")) await this.groupReads.pull(chat);
    else await this.groupReads.take(chat, entries);
    const online = this.ctx.getWebSockets().length > 0;
    if (!online) this.pushOffline(entries.flatMap((e) => (e.change ? [] : [e.message])));
    return { online };
  }

  async history(chat: string, before: string | undefined, limit: number): Promise<Message[]> {
    const ref = parseChat(chat);
    const bounded = Math.min(Math.max(1, limit), HISTORY_LIMIT_MAX);
    if (ref.kind === "group") return this.groupReads.history(`g:${ref.id}`, before, bounded);
    return this.mailbox.history(`u:${ref.id}`, before, bounded);
  }

  /** GET /api/chats/:chat/messages: a page of a chat, for a group only if the caller is or was in it. */
  async readChat(chat: string, before: string | undefined, limit: number): Promise<Result<Message[]>> {
    try {
      const ref = parseChat(chat);
      if (ref.kind === "group") await requireGroupReader(this.access(), ref.id);
      return ok(await this.history(chat, before, limit));
    } catch (err) {
      if (err instanceof AppError) return fail(err);
      throw err;
    }
  }

  private access(): GroupAccess {
    return { sql: this.ctx.storage.sql, userId: this.userId, env: this.env };
  }

  async chats(): Promise<ChatSummary[]> {
    await this.groupReads.pullAll(false);
    const list = listChats(this.mailbox, this.groups, this.groupReads.hidden);
    const muted = this.mutes.all(Date.now());
    if (muted.size === 0) return list;
    return list.map((s) => {
      const until = muted.get(s.chat);
      return until === undefined ? s : { ...s, mutedUntil: until };
    });
  }

  /** PUT /api/chats/:chat/mute (user/mutes.ts). */
  async mute(chat: ChatId, until: MutedUntil | null): Promise<Result<MuteState>> {
    try {
      return ok(
        await muteChat(this.mutes, chat, until, {
          groupReader: (id) => requireGroupReader(this.access(), id),
          userExists: (id) => this.direct.exists(id),
        }),
      );
    } catch (err) {
      if (err instanceof AppError) return fail(err);
      throw err;
    }
  }

  // ------------------------------------------------------------ user safety RPC

  async block(userId: string): Promise<Result<null>> {
    if (userId === this.userId) return fail(new AppError("invalid_field", "you cannot block yourself"));
    try {
      this.blocks.add(userId, Date.now());
    } catch (err) {
      if (err instanceof AppError) return fail(err);
      throw err;
    }
    await this.presence.refreshFor(userId);
    // This user's own devices stop seeing the blocked user's presence at once.
    this.presence.watcher.deliver(userId, { ...HIDDEN, at: Date.now() });
    return ok(null);
  }

  async unblock(userId: string): Promise<void> {
    this.blocks.remove(userId);
    await this.presence.refreshFor(userId);
  }

  async blocked(): Promise<{ id: string; since: number }[]> {
    return this.blocks.list();
  }

  /**
   * Message info for a message this user sent: who got it and read it, and
   * when. `readers` are those it was meant for (the group's members then,
   * from the group object; the peer in a one-to-one chat).
   */
  async receiptsOf(chat: string, id: string): Promise<Result<MessageInfo>> {
    const me = { userId: this.userId, mailbox: this.mailbox, groups: this.groups, reads: this.groupReads };
    return messageInfo(me, this.access(), chat, id);
  }

  /** Session ids with a socket connected now (the linked-devices list shows them online). */
  async onlineSessions(): Promise<string[]> {
    const sids = new Set<string>();
    for (const ws of this.ctx.getWebSockets()) {
      for (const tag of this.ctx.getTags(ws)) sids.add(tag);
    }
    return [...sids];
  }

  /** GET /api/search: this user's own messages matching every word, newest first. */
  async search(request: SearchRequest): Promise<Result<Message[]>> {
    return searchAll(this.ctx.storage.sql, this.mailbox, this.groups, this.groupReads, request);
  }

  /** Logout: the session's sockets are told and closed at once (one that has not spoken yet, at its first frame). */
  async closeSession(sid: string): Promise<void> {
    this.pushSubs.removeSession(sid);
    const sockets = this.ctx.getWebSockets(sid);
    broadcast(sockets, { type: "error", code: "unauthorized", message: "this session was logged out" });
    await this.presence.drop(sockets, 4001, "logged out");
  }

  // ------------------------------------------------------------ presence RPC (see user/presence-hub.ts)

  async watch(watcher: string): Promise<WatchAnswer> {
    return this.presence.watch(watcher);
  }

  async presenceChanged(user: string, view: PresenceView): Promise<boolean> {
    // Nor does this user see the presence of those it blocked (a shared group included).
    const shown = this.blocks.has(user) ? { ...HIDDEN, at: view.at } : view;
    return this.presence.watcher.deliver(user, shown);
  }

  async relayTyping(chat: ChatId, from: string): Promise<{ online: boolean }> {
    // A blocked user's typing reaches no device of the blocker, in a group neither (docs/security.md).
    if (this.blocks.has(from)) return { online: this.ctx.getWebSockets().length > 0 };
    return { online: this.presence.typing.deliver(chat, from) };
  }

  async presenceFor(viewer: string): Promise<Presence> {
    const { online, lastSeen } = await this.presence.viewFor(viewer);
    return { online, lastSeen };
  }

  async setLastSeenVisibility(value: LastSeenVisibility): Promise<void> {
    await this.presence.setVisibility(value);
  }

  async presenceStats(): Promise<ReturnType<PresenceHub["stats"]>> {
    return this.presence.stats();
  }

  /** Counts for tests and operators. */
  async stats(): Promise<{ sockets: number; messages: number; outbox: number; seq: number }> {
    return {
      sockets: this.ctx.getWebSockets().length,
      // Rows of the mailbox, and group entries given a seq (the group's log holds them).
      messages: this.mailbox.count() + this.groups.takenCount(),
      outbox: this.outbox.depth() + this.peers.depth() + this.receipts.size,
      seq: this.mailbox.lastSeq,
    };
  }

  /** One JSON line with this object's counts (cheap ones: no table scan). */
  private logCounts(event: string, requestId: string | null): void {
    console.log(
      JSON.stringify({
        event,
        requestId,
        userId: this.userId,
        sockets: this.ctx.getWebSockets().length,
        seq: this.mailbox.lastSeq,
        outbox: this.outbox.depth(),
      }),
    );
  }

  // ------------------------------------------------------------ alarm

  override async alarm(): Promise<void> {
    const due = this.alarms.fired();
    // Always: it is the outbox's safety net, and cheap when there is nothing to retry.
    await Promise.all([this.outbox.retryDue(), this.peers.retryDue()]);
    // Only at its own time: most alarms of a busy object are the outbox's, released lazily.
    if (due("presence")) await this.presence.sweep();
  }
}

/** How long moved group positions wait in memory at most before they are written (see user/group-chats.ts). */
const GROUP_FLUSH_MS = 30_000;

/** Over FRAME_MAX_BYTES of UTF-8; the byte count is walked only where units alone cannot tell. */
function overFrameLimit(data: string): boolean {
  if (data.length > FRAME_MAX_BYTES) return true; // a UTF-16 unit is at least one byte
  if (data.length * 3 <= FRAME_MAX_BYTES) return false; // and at most three
  return utf8Length(data) > FRAME_MAX_BYTES;
}

/** The per-user frame budget; FRAME_RATE="rate,burst" overrides it (tests). */
function frameBucket(setting: string | undefined): TokenBucket {
  const [rate, burst] = (setting ?? "").split(",").map(Number);
  return rate && burst ? new TokenBucket(rate, burst) : new TokenBucket(FRAME_RATE_PER_SECOND, FRAME_RATE_BURST);
}
