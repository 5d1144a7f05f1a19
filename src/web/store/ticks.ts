// The ticks under a message the user sent: one for stored (`sent`), two when
// it is delivered, coloured when read. In a group, two only when every member
// who was there when it was sent has it, coloured only when every one read it.

import type { Group, Message } from "../../shared/protocol";

export type TickStatus = "pending" | "sent" | "delivered" | "read";

/** Per message id: who got it and who read it, and when. */
export type ReceiptBook = Map<string, Map<string, { delivered?: number; read?: number }>>;

export function recipientsOf(
  message: Message,
  me: string,
  group: Group | undefined,
  joinedAfter: Set<string>,
): string[] {
  if (message.chat.startsWith("u:")) {
    const other = message.chat.slice(2);
    return other === me ? [] : [other];
  }
  if (!group) return [];
  return group.members.map((m) => m.id).filter((id) => id !== me && !joinedAfter.has(id));
}

export function tickStatus(message: Message, recipients: string[], receipts: ReceiptBook): TickStatus {
  if (recipients.length === 0) return "sent";
  const book = receipts.get(message.id);
  if (!book) return "sent";
  let delivered = 0;
  let read = 0;
  for (const id of recipients) {
    const entry = book.get(id);
    if (entry?.read !== undefined) read++;
    if (entry?.read !== undefined || entry?.delivered !== undefined) delivered++;
  }
  if (read === recipients.length) return "read";
  if (delivered === recipients.length) return "delivered";
  return "sent";
}

export const TICK_LABEL: Record<TickStatus, string> = {
  pending: "waiting to send",
  sent: "sent",
  delivered: "delivered",
  read: "read",
};

export function addReceipt(
  book: ReceiptBook,
  ids: string[],
  by: string,
  status: "delivered" | "read",
  ts: number,
): void {
  for (const id of ids) {
    let readers = book.get(id);
    if (!readers) {
      readers = new Map();
      book.set(id, readers);
    }
    const entry = readers.get(by) ?? {};
    entry[status] = entry[status] ?? ts;
    readers.set(by, entry);
  }
}

/** An edited message is unread again for those who read it before the edit (they keep "delivered"). */
export function unreadAfterEdit(book: ReceiptBook, id: string, editedAt: number): void {
  for (const entry of book.get(id)?.values() ?? []) {
    if (entry.read !== undefined && entry.read < editedAt) {
      entry.delivered = entry.delivered ?? entry.read;
      delete entry.read;
    }
  }
}
