// Delete for me (./changes.ts): the message leaves this user's mailbox only,
// for good; its id goes to `forgotten` so that a repeated delivery does not
// bring it back. In a chat hosted here the row stays (./hidden.ts).

import type { UpdateFrame } from "./changes";
import type { Mailbox } from "./mailbox";

/**
 * Delete for me: the message leaves this mailbox only, for good. A row of a chat hosted here (it has a
 * position) is the guest's only copy: it stays, and only its owner's views leave it out (`hide`).
 */
export function forgetForMe(
  sql: SqlStorage,
  mailbox: Mailbox,
  id: string,
  cid: string,
  clientId: string,
): UpdateFrame | null {
  const chat = mailbox.chatOf(id);
  if (chat !== null && keepsRow(sql, mailbox, id)) return hide(mailbox, chat, id, cid, clientId);
  const row = sql
    .exec<{ chat: string }>("DELETE FROM messages WHERE chat = ? AND id = ? RETURNING chat", chat, id)
    .toArray()[0];
  if (!row) return null;
  mailbox.lookup.forget(id);
  mailbox.changes.remember(id);
  sql.exec("DELETE FROM held_changes WHERE target = ?", id);
  mailbox.marks.forget(id);
  mailbox.reactions.forget(id);
  mailbox.refreshChat(row.chat);
  return mailbox.changes.record(cid, "removed", row.chat, id, clientId);
}

/** Whether a delete for me of `id` keeps its row: a row of a chat hosted here, the guest's only copy. */
export function keepsRow(sql: SqlStorage, mailbox: Mailbox, id: string): boolean {
  const row = sql
    .exec<{ pos: number | null }>("SELECT pos FROM messages WHERE chat = ? AND id = ?", mailbox.chatOf(id), id)
    .toArray()[0];
  return row !== undefined && row.pos !== null;
}

/**
 * The host's delete for me of a hosted row (docs/one-copy-per-chat.md, "Delete for me in a hosted chat, as
 * built"): its id in `forgotten` (./hidden.ts) and the `removed` entry for the owner's devices, nothing else.
 * Its reactions, receipt marks and lookup entry stay: the guest still reads the message with them. The chat
 * row keeps its `last_id` (the id clock's floor) and `hosted_from`; only its unread count moves, in memory.
 */
function hide(mailbox: Mailbox, chat: string, id: string, cid: string, clientId: string): UpdateFrame | null {
  if (mailbox.changes.isForgotten(id)) return null;
  mailbox.changes.remember(id);
  mailbox.refreshChat(chat);
  return mailbox.changes.record(cid, "removed", chat, id, clientId);
}

/** Delete for me of a message this mailbox has no row of (a group message: its log holds the one copy). */
export function forgetElsewhere(
  mailbox: Mailbox,
  message: { id: string; chat: string },
  cid: string,
  clientId: string,
): UpdateFrame | null {
  if (mailbox.changes.isForgotten(message.id)) return null;
  mailbox.changes.remember(message.id);
  return mailbox.changes.record(cid, "removed", message.chat, message.id, clientId);
}
