// One device's live link to the service: a WebSocket that is kept open
// (./socket-link.ts: heartbeat, reconnect with backoff), caught up after every
// (re)connect with `sync` from the cursor kept in ./sync-cursor.ts, and a
// queue of outgoing messages (./outbox.ts) that are written again, with the
// same clientId, until the server says `sent`. This class is the public face
// that joins them; frames are routed by ./frame-dispatch.ts.
// Plain WebSocket and timers only, so it runs in browsers and in Node 22 alike.

import type { ChatId, ClientFrame, Media, Message } from "../shared/protocol";
import type { BackoffOptions } from "./backoff";
import { checkText } from "./check-text";
import { ids } from "./client-id";
import { Emitter } from "./emitter";
import type { ConnectionEvents, ConnectionState } from "./events";
import { dispatch, type FrameHandlers, parseFrame } from "./frame-dispatch";
import { Outbox } from "./outbox";
import type { QueuedSend, QueueStore } from "./outgoing-queue";
import { SeenIds } from "./seen-ids";
import { SocketLink } from "./socket-link";
import { type ChangeFrame, SyncCursor } from "./sync-cursor";

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

export class Connection extends Emitter<ConnectionEvents> {
  private readonly link: SocketLink;
  private readonly outbox: Outbox;
  private readonly sync: SyncCursor;
  private readonly seen = new SeenIds();
  private readonly handlers: FrameHandlers = {
    message: (message) => {
      if (this.sync.message(message, this.state === "syncing")) this.deliver(message);
    },
    sent: (frame) => {
      const sent = this.outbox.sent(frame);
      if (sent) this.emit("sent", sent);
    },
    synced: (seq) => this.onSynced(seq),
    error: (frame) => {
      const failed = this.outbox.refused(frame);
      if (failed) this.emit("failed", failed);
      const { code, message, clientId } = frame;
      this.emit("error", { code, message, ...(clientId ? { clientId } : {}) });
    },
    // An edit or delete (docs/protocol.md, Message actions): after the messages it follows.
    change: (frame) => {
      if (this.sync.change(frame, this.state === "syncing")) this.applyChange(frame);
    },
    notice: (frame) => this.emit(frame.type, frame as never),
  };

  constructor(private readonly options: ConnectionOptions) {
    super();
    this.sync = new SyncCursor(options.cursor);
    this.link = new SocketLink(options, {
      state: (state, previous) => this.emit("state", { state, previous }),
      opened: () => {
        this.outbox.write({ type: "sync", after: this.sync.seq, batch: true });
        this.outbox.resubscribe();
        this.outbox.flush();
      },
      frame: (data) => {
        const frame = parseFrame(data);
        if (frame) dispatch(frame, this.handlers);
      },
      detached: () => this.sync.forget(),
      stopped: (code, message) => {
        this.emit("error", { code, message });
        this.close();
      },
    });
    this.outbox = new Outbox(this.link, options.queueStore);
  }

  get state(): ConnectionState {
    return this.link.state;
  }

  /** The newest mailbox seq this client has fully seen: the next `sync` starts after it. */
  get cursor(): number {
    return this.sync.seq;
  }

  /** Messages written but not yet confirmed, oldest first. */
  get pending(): readonly QueuedSend[] {
    return this.outbox.queue.list();
  }

  start(): this {
    this.link.start();
    return this;
  }

  /** Stops for good: no reconnect. Unsent messages stay in the queue store, if any. */
  close(): void {
    this.link.close();
    this.outbox.close();
  }

  /** Skips the backoff wait (for example when the browser says it is online again). */
  reconnectNow(): void {
    this.link.reconnectNow();
  }

  /** Closes the current socket as if the network had dropped it; a reconnect follows. */
  drop(reason = "dropped"): void {
    this.link.drop(reason);
  }

  // ------------------------------------------------------------ sending

  /** Queues a message (a reply when `replyTo` names a message of the chat); written now if a socket is open, else on reconnect. */
  send(chat: ChatId, text: string, clientId = ids.next(), replyTo?: string, media?: Media): QueuedSend {
    // With media the text is a caption, and may be empty.
    if (!media || text !== "") checkText(text);
    const item: QueuedSend = {
      clientId,
      chat,
      text,
      createdAt: Date.now(),
      ...(replyTo ? { replyTo } : {}),
      ...(media ? { media } : {}),
    };
    this.outbox.send(item);
    return item;
  }

  /** send(), resolved by the server's `sent` (or rejected when refused for good, or on close()). */
  sendAndWait(chat: ChatId, text: string, clientId?: string, replyTo?: string): Promise<ConnectionEvents["sent"]> {
    const item = this.send(chat, text, clientId, replyTo);
    return this.outbox.waitSent(item.clientId);
  }

  /** Edits my message; resolves on the server's `update` answer, rejects when refused (e.g. `too_late`). */
  edit(id: string, text: string, clientId = ids.next()): Promise<void> {
    checkText(text);
    return this.outbox.change({ type: "edit", clientId, id, text });
  }

  /** Sets or replaces (an emoji) or removes (null) my one reaction to a message; resolves on the answer. */
  react(id: string, emoji: string | null, clientId = ids.next()): Promise<void> {
    return this.outbox.change({ type: "react", clientId, id, emoji });
  }

  /**
   * Forwards a message (`source`) to `chat`: queued like a send; the server
   * copies the source's content and counts its hops. `text` is what a pending
   * bubble shows until then (the source's text).
   */
  forward(chat: ChatId, source: { chat: ChatId; id: string }, text: string, clientId = ids.next()): QueuedSend {
    const item: QueuedSend = { clientId, chat, text, createdAt: Date.now(), forward: source };
    this.outbox.send(item);
    return item;
  }

  /** Deletes a message for everyone (mine, or any as a group admin) or for me; resolves on the answer. */
  deleteMessage(id: string, scope: "everyone" | "me", clientId = ids.next()): Promise<void> {
    return this.outbox.change({ type: "delete", clientId, id, for: scope });
  }

  markReceived(messageIds: string[]): void {
    if (messageIds.length > 0) this.outbox.received(messageIds);
  }

  markRead(chat: ChatId, upTo: string): void {
    this.outbox.read(chat, upTo);
  }

  /** Typing is only worth sending live; offline it is dropped. */
  typing(chat: ChatId): void {
    this.outbox.write({ type: "typing", chat } satisfies ClientFrame);
  }

  /** Presence of these users, now and on every later socket. */
  subscribe(users: string[]): void {
    this.outbox.subscribe(users);
  }

  // ------------------------------------------------------------ frames in

  private onSynced(seq: number): void {
    const held = this.sync.synced(seq);
    for (const message of held.messages) this.deliver(message);
    for (const change of held.changes) this.applyChange(change);
    this.link.live();
    this.emit("synced", { seq: this.sync.seq });
  }

  private applyChange(frame: ChangeFrame): void {
    this.outbox.answered(frame.clientId);
    this.emit(frame.type, frame as never);
  }

  /** Hands a message to the application, once per id; acknowledges others' messages. */
  private deliver(message: Message): void {
    if (!this.seen.add(message.id)) return;
    const mine = message.from === this.options.userId || message.clientId !== undefined;
    if ((this.options.autoReceived ?? true) && !mine && !message.system) this.markReceived([message.id]);
    this.emit("message", message);
  }
}
