// Delivery and read acknowledgements waiting for a socket: `received` ids are
// batched (one frame per turn of the event loop, at most RECEIVED_IDS_MAX ids
// each), and for `read` only the newest position per chat matters. Both are
// kept while offline and written once a socket is open; the server treats a
// repeat as a no-op, so writing one twice after a drop is harmless.

import { RECEIVED_IDS_MAX } from "../shared/limits";
import type { ChatId, ClientFrame } from "../shared/protocol";

export class Acks {
  private received: string[] = [];
  private readonly reads = new Map<ChatId, string>();

  addReceived(ids: string[]): void {
    this.received.push(...ids);
  }

  addRead(chat: ChatId, upTo: string): void {
    const current = this.reads.get(chat);
    // Message ids sort in time order as plain strings: keep the newest.
    if (current === undefined || upTo > current) this.reads.set(chat, upTo);
  }

  get pending(): boolean {
    return this.received.length > 0 || this.reads.size > 0;
  }

  /** Every frame to write now; the acks are forgotten once taken. */
  take(): ClientFrame[] {
    const frames: ClientFrame[] = [];
    for (let i = 0; i < this.received.length; i += RECEIVED_IDS_MAX) {
      frames.push({ type: "received", ids: this.received.slice(i, i + RECEIVED_IDS_MAX) });
    }
    for (const [chat, upTo] of this.reads) frames.push({ type: "read", chat, upTo });
    this.received = [];
    this.reads.clear();
    return frames;
  }
}
