// One device's live link to the service: a WebSocket that is kept open
// (heartbeat, reconnect with backoff), caught up after every (re)connect with
// `sync` from the cursor this class keeps, and a queue of outgoing messages
// that are written again, with the same clientId, until the server says `sent`.
// Plain WebSocket and timers only, so it runs in browsers and in Node 22 alike.

import { SUBSCRIBE_MAX } from "../shared/limits";
import { type ChatId, type ClientFrame, type Message, PING, type ServerFrame } from "../shared/protocol";
import { Acks } from "./acks";
import { Backoff, type BackoffOptions } from "./backoff";
import { checkText } from "./check-text";
import { ids } from "./client-id";
import { Emitter } from "./emitter";
import type { ConnectionEvents, ConnectionState } from "./events";
import { Heartbeat } from "./heartbeat";
import { OutgoingQueue, type QueuedSend, type QueueStore } from "./outgoing-queue";
import { PendingChanges } from "./pending-changes";
import { SeenIds } from "./seen-ids";
import { SentWaiters } from "./sent-waiters";
import { socketUrl } from "./socket-url";

export interface ConnectionOptions {
  baseUrl: string;
  token: string;
  /** The user this device belongs to: their own messages are not acknowledged. */
  userId?: string;
  /** The sync cursor to start from (0: the whole mailbox). */
  cursor?: number;
  /** How the token travels: the Sec-WebSocket-Protocol value (default) or the query. */
  tokenVia?: "query" | "protocol";
  heartbeatMs?: number;
  backoff?: BackoffOptions;
  /** Acknowledge messages from others as `received` as they arrive (default true). */
  autoReceived?: boolean;
  /** Keeps unsent messages across page reloads. */
  queueStore?: QueueStore;
  /** Checks whether the token is still accepted after a failed connect (default: GET /api/me). */
  tokenValid?: () => Promise<boolean>;
}

const RETRYABLE = new Set(["rate_limited", "internal", "unavailable"]);
/** Sends written per flush: a long offline queue goes out in slices, within the server's frame rate. */
const FLUSH_SLICE = 50;
const LOGGED_OUT = 4001;
/** The server keeps 10 sockets per user and closes the oldest: reconnecting would displace another device in turn. */
const DISPLACED = 4008;

export class Connection extends Emitter<ConnectionEvents> {
  private socket: WebSocket | undefined;
  private generation = 0;
  private stateValue: ConnectionState = "idle";
  private cursorValue: number;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly backoff: Backoff;
  private readonly heartbeat: Heartbeat;
  private readonly queue: OutgoingQueue;
  private readonly acks = new Acks();
  private readonly seen = new SeenIds();
  private readonly waiters = new SentWaiters();
  private readonly changes = new PendingChanges();
  private readonly subscribed = new Set<string>();
  /** Subscribed since the last flush: sent together, in one frame per SUBSCRIBE_MAX users. */
  private toSubscribe: string[] = [];
  /** Messages that arrived during a replay, handed over in seq order at `synced`. */
  private replayed: Message[] = [];
  /** Edits and deletes that arrived during a replay, handed over after its messages. */
  private replayedChanges: Extract<ServerFrame, { type: "update" | "removed" }>[] = [];

  constructor(private readonly options: ConnectionOptions) {
    super();
    this.cursorValue = options.cursor ?? 0;
    this.backoff = new Backoff(options.backoff);
    this.queue = new OutgoingQueue(options.queueStore);
    this.heartbeat = new Heartbeat(
      options.heartbeatMs ?? 25_000,
      () => this.write(PING),
      () => this.drop("heartbeat timeout"),
    );
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** The newest mailbox seq this client has fully seen: the next `sync` starts after it. */
  get cursor(): number {
    return this.cursorValue;
  }

  /** Messages written but not yet confirmed, oldest first. */
  get pending(): readonly QueuedSend[] {
    return this.queue.list();
  }

  start(): this {
    if (this.stateValue === "idle" || this.stateValue === "offline") this.open();
    return this;
  }

  /** Stops for good: no reconnect. Unsent messages stay in the queue store, if any. */
  close(): void {
    this.setState("closed");
    this.clearTimers();
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000, "closed by client");
    this.waiters.rejectAll("closed");
    this.changes.rejectAll();
  }

  /** Skips the backoff wait (for example when the browser says it is online again). */
  reconnectNow(): void {
    if (this.stateValue !== "offline") return;
    clearTimeout(this.reconnectTimer);
    this.open();
  }

  /** Closes the current socket as if the network had dropped it; a reconnect follows. */
  drop(reason = "dropped"): void {
    const socket = this.socket;
    if (!socket) return;
    this.detach();
    socket.close(4000, reason);
    this.scheduleReconnect();
  }

  // ------------------------------------------------------------ sending

  /** Queues a message (a reply when `replyTo` names a message of the chat); written now if a socket is open, else on reconnect. */
  send(chat: ChatId, text: string, clientId = ids.next(), replyTo?: string): QueuedSend {
    checkText(text);
    const item: QueuedSend = { clientId, chat, text, createdAt: Date.now(), ...(replyTo ? { replyTo } : {}) };
    this.queue.add(item);
    this.flushSoon();
    return item;
  }

  /** send(), resolved by the server's `sent` (or rejected when refused for good, or on close()). */
  sendAndWait(chat: ChatId, text: string, clientId?: string, replyTo?: string): Promise<ConnectionEvents["sent"]> {
    const item = this.send(chat, text, clientId, replyTo);
    return this.waiters.wait(item.clientId);
  }

  /** Edits my message; resolves on the server's `update` answer, rejects when refused (e.g. `too_late`). */
  edit(id: string, text: string, clientId = ids.next()): Promise<void> {
    checkText(text);
    return this.change({ type: "edit", clientId, id, text });
  }

  /** Sets or replaces (an emoji) or removes (null) my one reaction to a message; resolves on the answer. */
  react(id: string, emoji: string | null, clientId = ids.next()): Promise<void> {
    return this.change({ type: "react", clientId, id, emoji });
  }

  /**
   * Forwards a message (`source`) to `chat`: queued like a send; the server
   * copies the source's content and counts its hops. `text` is what a pending
   * bubble shows until then (the source's text).
   */
  forward(chat: ChatId, source: { chat: ChatId; id: string }, text: string, clientId = ids.next()): QueuedSend {
    const item: QueuedSend = { clientId, chat, text, createdAt: Date.now(), forward: source };
    this.queue.add(item);
    this.flushSoon();
    return item;
  }

  /** Deletes a message for everyone (mine, or any as a group admin) or for me; resolves on the answer. */
  deleteMessage(id: string, scope: "everyone" | "me", clientId = ids.next()): Promise<void> {
    return this.change({ type: "delete", clientId, id, for: scope });
  }

  private change(frame: Extract<ClientFrame, { type: "edit" | "delete" | "react" }>): Promise<void> {
    const answered = this.changes.add(frame);
    this.flushSoon();
    return answered;
  }

  markReceived(messageIds: string[]): void {
    if (messageIds.length === 0) return;
    this.acks.addReceived(messageIds);
    this.flushSoon();
  }

  markRead(chat: ChatId, upTo: string): void {
    this.acks.addRead(chat, upTo);
    this.flushSoon();
  }

  /** Typing is only worth sending live; offline it is dropped. */
  typing(chat: ChatId): void {
    this.write(JSON.stringify({ type: "typing", chat } satisfies ClientFrame));
  }

  /** Presence of these users, now and on every later socket. */
  subscribe(users: string[]): void {
    for (const user of users) {
      if (this.subscribed.has(user)) continue;
      this.subscribed.add(user);
      this.toSubscribe.push(user);
    }
    if (this.toSubscribe.length > 0) this.flushSoon();
  }

  // ------------------------------------------------------------ the socket

  private open(): void {
    this.setState("connecting");
    const via = this.options.tokenVia ?? "protocol";
    const url = socketUrl(this.options.baseUrl, this.options.token, via);
    let socket: WebSocket;
    try {
      socket = via === "protocol" ? new WebSocket(url, [this.options.token]) : new WebSocket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    const generation = ++this.generation;
    this.socket = socket;
    let opened = false;
    socket.addEventListener("open", () => {
      if (generation !== this.generation) return;
      opened = true;
      this.onOpen();
    });
    socket.addEventListener("message", (event) => {
      if (generation === this.generation) this.onFrame(String(event.data));
    });
    // Node's WebSocket fires only `error` when the upgrade is refused;
    // browsers fire `error` then `close`: whichever comes first ends the socket.
    const ended = (code: number) => {
      if (generation !== this.generation || this.socket !== socket) return;
      this.detach();
      if (code === LOGGED_OUT) this.refused("this session was logged out");
      else if (code === DISPLACED) this.stop("too_many_sockets", "closed: this account has too many devices connected");
      else if (opened) this.scheduleReconnect();
      else void this.afterFailedConnect();
    };
    socket.addEventListener("close", (event) => ended(event.code));
    socket.addEventListener("error", () => ended(0));
  }

  private onOpen(): void {
    this.setState("syncing");
    this.heartbeat.start();
    this.writeFrame({ type: "sync", after: this.cursorValue, batch: true });
    // A new socket starts with no subscriptions: ask for all of them again.
    this.toSubscribe = [...this.subscribed];
    this.flush();
  }

  /** A connect that never opened: a network problem, or a refused token (browsers cannot see the 401). */
  private async afterFailedConnect(): Promise<void> {
    this.setState("offline");
    const valid = await (this.options.tokenValid ?? (() => this.defaultTokenCheck()))().catch(() => true);
    if (this.stateValue !== "offline") return;
    if (valid) this.scheduleReconnect();
    else this.refused("the token was refused");
  }

  private async defaultTokenCheck(): Promise<boolean> {
    const base = this.options.baseUrl.replace(/\/$/, "");
    const res = await fetch(`${base}/api/me`, { headers: { Authorization: `Bearer ${this.options.token}` } });
    return res.status !== 401;
  }

  private refused(message: string): void {
    this.stop("unauthorized", message);
  }

  private stop(code: string, message: string): void {
    this.emit("error", { code, message });
    this.close();
  }

  /** Forgets the current socket (its late events are ignored). */
  private detach(): void {
    this.generation++;
    this.replayed = [];
    this.replayedChanges = [];
    this.socket = undefined;
    this.heartbeat.stop();
  }

  private scheduleReconnect(): void {
    if (this.stateValue === "closed") return;
    this.setState("offline");
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.open(), this.backoff.next());
  }

  // ------------------------------------------------------------ frames in

  private onFrame(data: string): void {
    this.heartbeat.heard();
    if (data === "pong") return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data) as ServerFrame;
    } catch {
      return; // not ours to understand; the heartbeat still counted it
    }
    this.dispatch(frame);
  }

  private dispatch(frame: ServerFrame): void {
    switch (frame.type) {
      case "replay":
        // A sync's entries, many to a frame (we ask for it with `batch: true`).
        for (const entry of frame.frames) this.dispatch(entry);
        break;
      case "message":
        this.onMessage(frame.message);
        break;
      case "sent":
        this.onSent(frame);
        break;
      case "synced":
        this.onSynced(frame.seq);
        break;
      case "error":
        this.onError(frame);
        break;
      case "update":
      case "removed":
        this.onChange(frame);
        break;
      case "receipt":
      case "presence":
      case "typing":
      case "chat":
        this.emit(frame.type, frame as never);
        break;
    }
  }

  private onSent(frame: Extract<ServerFrame, { type: "sent" }>): void {
    const item = this.queue.remove(frame.clientId);
    if (!item) return; // a repeated answer
    const { clientId, id, seq, ts } = frame;
    const sent = {
      clientId,
      id,
      seq,
      ts,
      chat: item.chat,
      text: item.text,
      ...(item.replyTo ? { replyTo: item.replyTo } : {}),
    };
    this.waiters.resolve(sent);
    this.emit("sent", sent);
  }

  private onMessage(message: Message): void {
    // During a replay, live messages can overtake it (they are broadcast to a
    // socket as soon as it is accepted): hold everything until `synced`, and
    // only then move the cursor, so it never skips an entry not yet seen.
    if (this.stateValue === "syncing") {
      this.replayed.push(message);
      return;
    }
    this.cursorValue = Math.max(this.cursorValue, message.seq);
    this.deliver(message);
  }

  /** An edit or delete (docs/protocol.md, Message actions): after the messages it follows. */
  private onChange(frame: Extract<ServerFrame, { type: "update" | "removed" }>): void {
    if (this.stateValue === "syncing") {
      this.replayedChanges.push(frame);
      return;
    }
    this.cursorValue = Math.max(this.cursorValue, frame.seq);
    if (frame.clientId !== undefined) this.changes.answered(frame.clientId);
    this.emit(frame.type, frame as never);
  }

  private onSynced(seq: number): void {
    const held = this.replayed.sort((x, y) => x.seq - y.seq);
    this.replayed = [];
    for (const message of held) this.deliver(message);
    const changes = this.replayedChanges.sort((x, y) => x.seq - y.seq);
    this.replayedChanges = [];
    for (const change of changes) {
      if (change.clientId !== undefined) this.changes.answered(change.clientId);
      this.emit(change.type, change as never);
    }
    this.cursorValue = Math.max(this.cursorValue, seq);
    this.backoff.reset();
    this.setState("live");
    this.emit("synced", { seq: this.cursorValue });
  }

  /** Hands a message to the application, once per id; acknowledges others' messages. */
  private deliver(message: Message): void {
    if (!this.seen.add(message.id)) return;
    const mine = message.from === this.options.userId || message.clientId !== undefined;
    if ((this.options.autoReceived ?? true) && !mine && !message.system) this.markReceived([message.id]);
    this.emit("message", message);
  }

  private onError(frame: Extract<ServerFrame, { type: "error" }>): void {
    const { clientId } = frame;
    if (clientId !== undefined && this.changes.has(clientId)) {
      if (RETRYABLE.has(frame.code)) {
        this.changes.retry(clientId);
        this.flushLater(1000);
      } else this.changes.refused(clientId, frame.code, frame.message);
    }
    if (clientId !== undefined && this.queue.get(clientId)) {
      if (RETRYABLE.has(frame.code)) {
        this.queue.retry(clientId);
        this.flushLater(1000);
      } else {
        const item = this.queue.remove(clientId);
        this.waiters.reject(clientId, frame.code, frame.message);
        if (item)
          this.emit("failed", { clientId, code: frame.code, message: frame.message, chat: item.chat, text: item.text });
      }
    }
    this.emit("error", { code: frame.code, message: frame.message, ...(clientId ? { clientId } : {}) });
  }

  // ------------------------------------------------------------ frames out

  private flushSoon(): void {
    this.flushLater(0);
  }

  private flushLater(ms: number): void {
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, ms);
  }

  /** Writes every unsent message and pending ack to the open socket, if any. */
  private flush(): void {
    if (!this.isOpen()) return;
    const items = this.queue.takeUnwritten(this.generation, FLUSH_SLICE);
    for (const item of items) {
      const { clientId, chat, text, replyTo, forward } = item;
      this.writeFrame({
        type: "send",
        clientId,
        chat,
        text,
        ...(replyTo ? { replyTo } : {}),
        ...(forward ? { forward } : {}),
      });
    }
    for (const frame of this.changes.takeUnwritten(this.generation)) this.writeFrame(frame);
    if (items.length === FLUSH_SLICE) this.flushLater(500);
    for (const frame of this.acks.take()) this.writeFrame(frame);
    for (let i = 0; i < this.toSubscribe.length; i += SUBSCRIBE_MAX) {
      this.writeFrame({ type: "subscribe", users: this.toSubscribe.slice(i, i + SUBSCRIBE_MAX) });
    }
    this.toSubscribe = [];
  }

  private isOpen(): boolean {
    return this.socket !== undefined && this.socket.readyState === WebSocket.OPEN;
  }

  private writeFrame(frame: ClientFrame): void {
    this.write(JSON.stringify(frame));
  }

  private write(data: string): void {
    if (!this.isOpen()) return;
    try {
      this.socket?.send(data);
    } catch {
      // closing: the close event schedules the reconnect
    }
  }

  private setState(state: ConnectionState): void {
    const previous = this.stateValue;
    if (previous === state || previous === "closed") return;
    this.stateValue = state;
    this.emit("state", { state, previous });
  }

  private clearTimers(): void {
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.heartbeat.stop();
  }
}
