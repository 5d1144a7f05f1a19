// What the connection brings, into the page's state: messages (and the echo
// of my own sends), edits and deletes, refused sends, receipts, presence,
// typing, and another device's reads and mutes. The store (./app-store.ts)
// keeps the session's own events (state, synced, a refused token).

import type { Connection, ConnectionEvents } from "@edge-chat/client";
import type { ChatId, Message, Presence } from "../../shared/protocol";
import { type Chats, quoteOf } from "./chats";
import type { Directory } from "./directory";
import type { Mutes } from "./mutes";
import { addReceipt, type ReceiptBook, unreadAfterEdit } from "./ticks";
import type { Views } from "./views";

const TYPING_SHOWN_MS = 5000;

/** The parts of the store that incoming events change. */
export interface Receiver {
  readonly userId: string;
  readonly chats: Chats;
  readonly receipts: ReceiptBook;
  readonly typing: Map<ChatId, { from: string; until: number }>;
  readonly failed: ConnectionEvents["failed"][];
  readonly mutes: Mutes;
  readonly directory: Directory;
  readonly views: Views;
  visible(): boolean;
  watch(userId: string): void;
  setPresence(user: string, presence: Presence): void;
  /** Tells the person about a new message from someone else (./announce.ts). */
  announce(message: Message): void;
  changed(): void;
}

export function receive(connection: Connection, to: Receiver): void {
  connection.on("message", (m) => onMessage(to, connection, m, connection.state === "live"));
  // Shown at once with its id, so the bubble does not blink between the
  // queue and the echo of the message that follows `sent`.
  connection.on("sent", (s) => {
    const quoted = s.replyTo ? to.chats.entry(s.chat).messages.get(s.replyTo) : undefined;
    const replyTo = quoted ? { replyTo: quoteOf(quoted) } : {};
    const { id, chat, text, ts, seq, clientId } = s;
    onMessage(to, connection, { id, chat, from: to.userId, text, ts, seq, clientId, ...replyTo }, true);
  });
  // An edit or delete for everyone; an edit makes my message unread again for its readers.
  connection.on("update", ({ message }) => {
    to.chats.update(message);
    if (message.editedAt !== undefined) unreadAfterEdit(to.receipts, message.id, message.editedAt);
    to.changed();
  });
  connection.on("removed", (r) => {
    to.chats.remove(r.chat, r.id);
    to.changed();
  });
  connection.on("failed", (f) => {
    to.failed.push(f);
    to.changed();
  });
  connection.on("receipt", (r) => {
    addReceipt(to.receipts, r.ids, r.by, r.status, r.ts);
    to.changed();
  });
  connection.on("presence", (p) => to.setPresence(p.user, { online: p.online, lastSeen: p.lastSeen }));
  connection.on("typing", (t) => {
    to.typing.set(t.chat, { from: t.from, until: Date.now() + TYPING_SHOWN_MS });
    setTimeout(() => to.changed(), TYPING_SHOWN_MS + 50);
    to.changed();
  });
  // Another device read or muted a chat: the same numbers here at once.
  connection.on("chat", (c) => {
    if (c.unread !== undefined) to.chats.entry(c.chat).unread = c.unread;
    if (c.mutedUntil !== undefined) to.mutes.set(c.chat, c.mutedUntil);
    to.changed();
  });
}

function onMessage(to: Receiver, connection: Connection, message: Message, live: boolean): void {
  if (!to.chats.add(message)) return;
  const entry = to.chats.entry(message.chat);
  const fromOther = message.from !== to.userId && !message.system;
  const open = to.views.openChat === message.chat && to.visible();
  if (fromOther && open) connection.markRead(message.chat, message.id);
  else if (fromOther && live) entry.unread++;
  if (fromOther) to.typing.delete(message.chat);
  if (fromOther && live) to.announce(message);
  const partner = message.chat.startsWith("u:") ? [message.chat.slice(2)] : [];
  to.directory.needUsers([message.from, ...partner, ...(message.system ? [message.system.user] : [])]);
  if (message.chat.startsWith("u:")) to.watch(message.chat.slice(2));
  else void to.directory.needGroup(message.chat.slice(2), message.system !== undefined);
  to.changed();
}
