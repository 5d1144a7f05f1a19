// Frames out: queued sends, edits/deletes/reactions, acks and presence
// subscriptions wait here for an open socket, are written in one flush (sends
// in slices within the server's frame rate) and are written again, with the
// same clientId, on every new socket until answered. It also settles the
// answers: `sent` removes a send, a retryable error writes it again later, any
// other error refuses it for good.

import { SUBSCRIBE_MAX } from "../shared/limits";
import type { ChatId, ClientFrame, ServerFrame } from "../shared/protocol";
import { Acks } from "./acks";
import type { ConnectionEvents, SentEvent } from "./events";
import { OutgoingQueue, type QueuedSend, type QueueStore } from "./outgoing-queue";
import { PendingChanges } from "./pending-changes";
import { SentWaiters } from "./sent-waiters";

type ChangeFrame = Extract<ClientFrame, { type: "edit" | "delete" | "react" }>;

/** Where a flush writes: the socket, while open. */
export interface FrameSink {
  readonly generation: number;
  isOpen(): boolean;
  write(data: string): void;
}

const RETRYABLE = new Set(["rate_limited", "internal", "unavailable"]);
/** Sends written per flush: a long offline queue goes out in slices, within the server's frame rate. */
const FLUSH_SLICE = 50;

export class Outbox {
  readonly queue: OutgoingQueue;
  private readonly acks = new Acks();
  private readonly changes = new PendingChanges();
  private readonly waiters = new SentWaiters();
  private readonly subscribed = new Set<string>();
  /** Subscribed since the last flush: sent together, in one frame per SUBSCRIBE_MAX users. */
  private toSubscribe: string[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly sink: FrameSink,
    store?: QueueStore,
  ) {
    this.queue = new OutgoingQueue(store);
  }

  send(item: QueuedSend): void {
    this.queue.add(item);
    this.flushLater(0);
  }

  /** Resolved by the server's `sent` for this clientId. */
  waitSent(clientId: string): Promise<SentEvent> {
    return this.waiters.wait(clientId);
  }

  change(frame: ChangeFrame): Promise<void> {
    const answered = this.changes.add(frame);
    this.flushLater(0);
    return answered;
  }

  received(messageIds: string[]): void {
    this.acks.addReceived(messageIds);
    this.flushLater(0);
  }

  read(chat: ChatId, upTo: string): void {
    this.acks.addRead(chat, upTo);
    this.flushLater(0);
  }

  subscribe(users: string[]): void {
    for (const user of users) {
      if (this.subscribed.has(user)) continue;
      this.subscribed.add(user);
      this.toSubscribe.push(user);
    }
    if (this.toSubscribe.length > 0) this.flushLater(0);
  }

  /** A new socket starts with no subscriptions: ask for all of them again at the next flush. */
  resubscribe(): void {
    this.toSubscribe = [...this.subscribed];
  }

  /** The server stored a send: the event to tell, or undefined for a repeated answer. */
  sent(frame: Extract<ServerFrame, { type: "sent" }>): SentEvent | undefined {
    const item = this.queue.remove(frame.clientId);
    if (!item) return undefined;
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
    return sent;
  }

  /** An edit, delete or reaction was answered (its `update` or `removed`). */
  answered(clientId: string | undefined): void {
    if (clientId !== undefined) this.changes.answered(clientId);
  }

  /** An error answer: retried later when retryable, else refused; a refused send is returned as `failed`. */
  refused(frame: Extract<ServerFrame, { type: "error" }>): ConnectionEvents["failed"] | undefined {
    const { clientId, code, message } = frame;
    if (clientId === undefined) return undefined;
    const retry = RETRYABLE.has(code);
    if (this.changes.has(clientId)) {
      if (retry) {
        this.changes.retry(clientId);
        this.flushLater(1000);
      } else this.changes.refused(clientId, code, message);
    }
    if (!this.queue.get(clientId)) return undefined;
    if (retry) {
      this.queue.retry(clientId);
      this.flushLater(1000);
      return undefined;
    }
    const item = this.queue.remove(clientId);
    this.waiters.reject(clientId, code, message);
    return item ? { clientId, code, message, chat: item.chat, text: item.text } : undefined;
  }

  /** Writes every unsent message, change, ack and subscription to the open socket, if any. */
  flush(): void {
    if (!this.sink.isOpen()) return;
    const generation = this.sink.generation;
    const items = this.queue.takeUnwritten(generation, FLUSH_SLICE);
    for (const item of items) {
      const { clientId, chat, text, replyTo, forward, media } = item;
      this.write({
        type: "send",
        clientId,
        chat,
        text,
        ...(replyTo ? { replyTo } : {}),
        ...(forward ? { forward } : {}),
        ...(media ? { media } : {}),
      });
    }
    for (const frame of this.changes.takeUnwritten(generation)) this.write(frame);
    if (items.length === FLUSH_SLICE) this.flushLater(500);
    for (const frame of this.acks.take()) this.write(frame);
    for (let i = 0; i < this.toSubscribe.length; i += SUBSCRIBE_MAX) {
      this.write({ type: "subscribe", users: this.toSubscribe.slice(i, i + SUBSCRIBE_MAX) });
    }
    this.toSubscribe = [];
  }

  write(frame: ClientFrame): void {
    this.sink.write(JSON.stringify(frame));
  }

  /** Stops for good: every waiting promise is rejected; unsent messages stay in the queue store. */
  close(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.waiters.rejectAll("closed");
    this.changes.rejectAll();
  }

  private flushLater(ms: number): void {
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, ms);
  }
}
