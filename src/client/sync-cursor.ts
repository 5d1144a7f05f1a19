// The sync cursor: the newest mailbox seq this client has fully seen, where
// the next `sync` starts. During a replay, live messages can overtake it (they
// are broadcast to a socket as soon as it is accepted): everything is held
// until `synced`, and only then does the cursor move, so it never skips an
// entry not yet seen. Edits and deletes are handed over after the messages.

import type { Message, ServerFrame } from "../shared/protocol";

export type ChangeFrame = Extract<ServerFrame, { type: "update" | "removed" }>;

export class SyncCursor {
  private value: number;
  private messages: Message[] = [];
  private changes: ChangeFrame[] = [];

  constructor(start = 0) {
    this.value = start;
  }

  get seq(): number {
    return this.value;
  }

  /** True when it is to be handed over now; false when held for the replay's end. */
  message(message: Message, syncing: boolean): boolean {
    return this.pass(message, syncing, this.messages);
  }

  change(frame: ChangeFrame, syncing: boolean): boolean {
    return this.pass(frame, syncing, this.changes);
  }

  /** The replay is over: what was held, in seq order; the cursor moves to `seq`. */
  synced(seq: number): { messages: Message[]; changes: ChangeFrame[] } {
    const messages = this.messages.sort((x, y) => x.seq - y.seq);
    const changes = this.changes.sort((x, y) => x.seq - y.seq);
    this.forget();
    this.value = Math.max(this.value, seq);
    return { messages, changes };
  }

  /** The socket was lost mid-replay: the next sync brings it all again. */
  forget(): void {
    this.messages = [];
    this.changes = [];
  }

  private pass<T extends { seq: number }>(entry: T, syncing: boolean, held: T[]): boolean {
    if (syncing) {
      held.push(entry);
      return false;
    }
    this.value = Math.max(this.value, entry.seq);
    return true;
  }
}
