// The page's copy of the user's chats: every message seen (from the sync
// replay, live frames and history pages, merged by id), the unread count and
// the newest message, per chat.

import type { ChatId, ChatSummary, Message } from "../../shared/protocol";

export interface ChatEntry {
  chat: ChatId;
  messages: Map<string, Message>;
  unread: number;
  last: Message | null;
  /** No older page is left on the server. */
  historyDone: boolean;
}

export class Chats {
  readonly entries = new Map<ChatId, ChatEntry>();

  entry(chat: ChatId): ChatEntry {
    let entry = this.entries.get(chat);
    if (!entry) {
      entry = { chat, messages: new Map(), unread: 0, last: null, historyDone: false };
      this.entries.set(chat, entry);
    }
    return entry;
  }

  /** Adds a message; true when it was new. */
  add(message: Message): boolean {
    const entry = this.entry(message.chat);
    if (entry.messages.has(message.id)) return false;
    entry.messages.set(message.id, message);
    if (!entry.last || message.id > entry.last.id) entry.last = message;
    return true;
  }

  /** The server's view of the list (after a sync): unread counts and newest messages. */
  applySummaries(summaries: ChatSummary[]): void {
    for (const summary of summaries) {
      const entry = this.entry(summary.chat);
      entry.unread = summary.unread;
      if (summary.lastMessage) this.add(summary.lastMessage);
    }
  }

  /** Newest first, as the chat list shows them. */
  list(): ChatEntry[] {
    return [...this.entries.values()]
      .filter((e) => e.last !== null)
      .sort((x, y) => ((y.last?.id ?? "") > (x.last?.id ?? "") ? 1 : -1));
  }

  /** Messages of a chat, oldest first (message ids sort in time order). */
  sorted(chat: ChatId): Message[] {
    const entry = this.entries.get(chat);
    if (!entry) return [];
    return [...entry.messages.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  }

  /** Users who were added to a group after a message: they never had it. */
  joinedAfter(chat: ChatId, messageId: string): Set<string> {
    const out = new Set<string>();
    for (const m of this.entries.get(chat)?.messages.values() ?? []) {
      if (m.system?.event === "added" && m.id > messageId) out.add(m.system.user);
    }
    return out;
  }
}
