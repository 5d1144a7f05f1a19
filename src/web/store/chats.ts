// The page's copy of the user's chats: every message seen (from the sync
// replay, live frames and history pages, merged by id), the unread count and
// the newest message, per chat.

import { QUOTE_EXCERPT_MAX } from "../../shared/limits";
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

  /** Adds a message, or merges a newer copy of one already here; true when it was new. */
  add(message: Message): boolean {
    const entry = this.entry(message.chat);
    const known = entry.messages.get(message.id);
    if (known) {
      entry.messages.set(message.id, merged(known, message));
      if (entry.last?.id === message.id) entry.last = entry.messages.get(message.id) ?? null;
      return false;
    }
    entry.messages.set(message.id, message);
    if (!entry.last || message.id > entry.last.id) entry.last = message;
    return true;
  }

  /**
   * An edit or delete for everyone (an `update`): the message takes its new
   * state, and replies quoting it follow, as the mailbox's copies do
   * (docs/protocol.md, Reply). False when the message is not here.
   */
  update(message: Message): boolean {
    const entry = this.entry(message.chat);
    const known = entry.messages.get(message.id);
    if (known) {
      this.add(message);
      // The last reaction taken back: the update has none, and none may stay.
      if (message.reactions === undefined && known.reactions !== undefined) {
        const { reactions: _gone, ...rest } = entry.messages.get(message.id) ?? known;
        entry.messages.set(message.id, rest);
        if (entry.last?.id === message.id) entry.last = rest;
      }
    }
    for (const [id, other] of entry.messages) {
      if (other.replyTo?.id !== message.id) continue;
      entry.messages.set(id, { ...other, replyTo: quoteOf(message) });
    }
    return known !== undefined;
  }

  /** Deleted for me (a `removed`): gone from the chat; a chat left empty leaves the list. */
  remove(chat: ChatId, id: string): void {
    const entry = this.entries.get(chat);
    if (!entry?.messages.delete(id)) return;
    if (entry.last?.id === id) entry.last = this.sorted(chat).at(-1) ?? null;
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

/** Two copies of one message: a tombstone stays one, and an older edit never replaces a newer one. */
export function merged(known: Message, incoming: Message): Message {
  if (known.deletedAt !== undefined && incoming.deletedAt === undefined) return { ...incoming, ...known };
  if ((known.editedAt ?? 0) > (incoming.editedAt ?? 0)) {
    return { ...known, ...incoming, text: known.text, editedAt: known.editedAt };
  }
  return { ...known, ...incoming };
}

/** The quote a reply to this message carries: sender and the start of its text, or "deleted". */
export function quoteOf(message: Message): NonNullable<Message["replyTo"]> {
  if (message.deletedAt !== undefined) return { id: message.id, from: message.from, excerpt: "", deleted: true };
  return { id: message.id, from: message.from, excerpt: [...message.text].slice(0, QUOTE_EXCERPT_MAX).join("") };
}
