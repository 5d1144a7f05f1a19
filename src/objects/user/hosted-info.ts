// Message info of a hosted chat's message (docs/one-copy-per-chat.md, "Step
// 3, as built"), for its sender, from positions: the reader's delivered and
// read positions say whether, the batches stored (`by` = '*') say when.
// - The guest's message (read from the log by ./hosted-views.ts): the host's
//   object answers from its chat row (`hostedReceiptOf`); the times are
//   those of the host's batches stored at the guest.
// - The host's own message: the guest's positions as the host holds them
//   (./peer-positions.ts), the times those of the guest's batches.
// A position that passed a message whose batch was lost (a crash before its
// row was written) gives no time: the message's own is shown, the earliest
// it can have been.

import { AppError, type Result } from "../../shared/errors";
import type { Message, ReaderReceipt } from "../../shared/protocol";
import { hosts } from "./hosted-append";
import type { HostedInfo } from "./message-info";
import type { UserParts } from "./parts";

export interface HostedReceiptOf {
  delivered: boolean;
  read: boolean;
}

/** At the host: whether this side delivered and read the guest's message `id` (the chat's guest only). */
export function hostedReceiptOf(me: UserParts, guest: string, id: string): HostedReceiptOf {
  const chat = `u:${guest}`;
  const row = hosts(me.userId, guest) ? me.mailbox.chatRows.get(chat) : null;
  if (!row || row.hosted_from === null) throw new AppError("not_found", "no such chat");
  if (id <= row.hosted_from) return { delivered: false, read: false };
  // A row hidden here (./hidden.ts: a blocked guest's message) was never shown: positions passing it say nothing.
  if (me.mailbox.changes.isForgotten(id)) return { delivered: false, read: false };
  const unreadAgain =
    me.ctx.storage.sql
      .exec("SELECT 1 FROM messages WHERE chat = ? AND id = ? AND unread_mark IS NOT NULL", chat, id)
      .toArray().length > 0;
  const read = id <= row.read_upto && !unreadAgain;
  return { delivered: read || id <= row.delivered_upto || id <= row.read_upto, read };
}

/** The times the stored batches give, with what the positions add. */
function merged(times: ReaderReceipt | undefined, user: string, ts: number, delivered: boolean, read: boolean) {
  const readAt = times?.readAt ?? (read ? ts : null);
  const deliveredAt = times?.deliveredAt ?? (delivered || readAt !== null ? (readAt ?? ts) : null);
  return deliveredAt === null ? [] : [{ user, deliveredAt, readAt }];
}

/**
 * At the guest: the marks of its own message in its host's log (found there
 * by ./hosted-views.ts), from the host's positions, asked of the host.
 */
export async function guestMarks(me: UserParts, chat: string, message: Message): Promise<ReaderReceipt[]> {
  const host = chat.slice(2);
  let answer: Result<HostedReceiptOf>;
  try {
    answer = await me.env.USERS.get(me.env.USERS.idFromName(host)).hostedReceiptOf(me.userId, message.id);
  } catch (err) {
    console.warn(JSON.stringify({ event: "hosted_info_failed", chat, error: String(err) }));
    throw new AppError("unavailable", "the other side could not be reached; try again");
  }
  if (!answer.ok) throw new AppError(answer.error.code, answer.error.message);
  const { delivered, read } = answer.value;
  const times = me.mailbox.marks.ofGroup(message).get(host);
  return merged(times, host, message.ts, delivered, read && message.editedAt === undefined);
}

/** At the host: the marks of its own message in a chat it hosts (null: not such a message). */
export function ownHostedMarks(me: UserParts, message: Message): ReaderReceipt[] | null {
  const row = me.mailbox.chatRows.get(message.chat);
  if (!row || row.hosted_from === null || message.id <= row.hosted_from) return null;
  const guest = message.chat.slice(2);
  const at = me.peerPositions.of(message.chat, guest);
  const times = me.mailbox.marks.ofGroup(message).get(guest);
  // After an edit only a read receipt made since counts (./receipt-marks.ts): the position says nothing of that.
  const read = message.id <= at.read && message.editedAt === undefined;
  return merged(times, guest, message.ts, message.id <= at.delivered || read, read);
}

/** What message info (./message-info.ts) asks of hosted chats. */
export function hostedInfo(me: UserParts): HostedInfo {
  return {
    guestMarks: (chat, message) => guestMarks(me, chat, message),
    ownMarks: (message) => ownHostedMarks(me, message),
  };
}
