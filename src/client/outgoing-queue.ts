// Messages the user has sent that the server has not yet confirmed with `sent`.
// Each keeps the clientId it was given once, so every retry (on this socket or
// after a reconnect) carries the same id and the server stores it only once.
// An optional store (localStorage in the page) keeps the queue across reloads.

import type { ChatId } from "../shared/protocol";

export interface QueuedSend {
  clientId: string;
  chat: ChatId;
  text: string;
  /** When the user sent it (client clock, ms), for display while pending. */
  createdAt: number;
  /** The message it answers (a reply), if any. */
  replyTo?: string;
  /** A forward: the message copied (the server copies its content, `text` is what the page shows meanwhile). */
  forward?: { chat: ChatId; id: string };
}

export interface QueueStore {
  load(): QueuedSend[];
  save(items: QueuedSend[]): void;
}

export class OutgoingQueue {
  private readonly items: QueuedSend[];
  /** clientId -> the socket generation it was last written to. */
  private readonly written = new Map<string, number>();

  constructor(private readonly store?: QueueStore) {
    this.items = store?.load() ?? [];
  }

  add(item: QueuedSend): void {
    this.items.push(item);
    this.store?.save(this.items);
  }

  /** The server confirmed it (or refused it for good): forget it. */
  remove(clientId: string): QueuedSend | undefined {
    const index = this.items.findIndex((item) => item.clientId === clientId);
    if (index < 0) return undefined;
    const [item] = this.items.splice(index, 1);
    this.written.delete(clientId);
    this.store?.save(this.items);
    return item;
  }

  /** Write it again on the next flush (for example after `rate_limited`). */
  retry(clientId: string): void {
    this.written.delete(clientId);
  }

  /** Up to `max` items not yet written to socket `generation`, oldest first; marks them written. */
  takeUnwritten(generation: number, max = Infinity): QueuedSend[] {
    const out = this.items.filter((item) => this.written.get(item.clientId) !== generation).slice(0, max);
    for (const item of out) this.written.set(item.clientId, generation);
    return out;
  }

  get(clientId: string): QueuedSend | undefined {
    return this.items.find((item) => item.clientId === clientId);
  }

  list(): readonly QueuedSend[] {
    return this.items;
  }

  get size(): number {
    return this.items.length;
  }
}
