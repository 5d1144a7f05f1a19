// The group entries this object took since it woke, the newest RECENT_MAX
// per group, as they are now (a change taken later updates its message): a
// sync's content for what was taken while it waited for the groups, and for
// recent runs, without asking the groups again (./group-reads.ts).

import type { GroupEntry, GroupMessage } from "../group-entry";
import { quoteOf } from "./quotes";

const RECENT_MAX = 2_000;

export class RecentEntries {
  private readonly byChat = new Map<string, Map<number, GroupEntry>>();

  add(chat: string, entry: GroupEntry): void {
    let entries = this.byChat.get(chat);
    if (!entries) {
      entries = new Map();
      this.byChat.set(chat, entries);
    }
    entries.set(entry.pos, entry);
    if (entries.size > RECENT_MAX) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
  }

  /**
   * A change of the message at `pos`: a replay must not show its old (or
   * deleted) text, nor an older state through an earlier change of it (each
   * change entry replays as the message is now).
   */
  changed(chat: string, pos: number, message: GroupMessage): void {
    const entries = this.byChat.get(chat);
    if (!entries) return;
    for (const [at, entry] of entries) {
      if (at === pos || entry.change?.pos === pos) entries.set(at, { ...entry, message });
      // A reply quoting it: the log makes its quote anew at each read; deleted text survives in no quote.
      else if (entry.message.replyTo?.id === message.id) {
        entries.set(at, { ...entry, message: { ...entry.message, replyTo: quoteOfMessage(message) } });
      }
    }
  }

  get(chat: string, pos: number): GroupEntry | undefined {
    return this.byChat.get(chat)?.get(pos);
  }

  /** Whether every position from..to is here. */
  covers(chat: string, from: number, to: number): boolean {
    const entries = this.byChat.get(chat);
    if (!entries) return false;
    for (let pos = from; pos <= to; pos++) if (!entries.has(pos)) return false;
    return true;
  }
}

function quoteOfMessage(m: GroupMessage) {
  const media = m.media ? JSON.stringify(m.media) : null;
  return quoteOf({ id: m.id, sender: m.from, text: m.text, deleted_at: m.deletedAt ?? null, media });
}
