// Delivered and read, on the reader's side of a one-to-one chat, as
// positions in the chat's row (./mailbox-chats.ts) instead of a mark per
// message: `delivered_upto`, the newest peer message up to which every one
// reached a device, and `read_upto`, the newest read (reading is positional:
// the `read` frame says "up to"). Before schema step 13 each message was
// written twice more for these (`delivered_at`, `read_at`).
//
// - A repeated acknowledgement finds its ids at or below the position (or
//   among those acknowledged above it) and answers nothing: no second receipt.
// - Out of order: a device acknowledges only what it got, so the ids it
//   acknowledges past a gap are kept here, in memory, and the position moves
//   over them once the gap is filled; the receipt names exactly the ids
//   acknowledged, as before. After a crash those (and a position not yet
//   written: deliveries wait for the next flush, reads do not) are forgotten:
//   acknowledged again they make a second receipt,
//   which the sender takes as the first (its ticks and message info keep the
//   earliest time, ./receipt-marks.ts).
// - A read is a delivery too (the delivered position follows the read one).
// - An edit makes a read message unread again: the one row is marked
//   (`unread_mark`, a partial index only such rows enter), counted unread, and
//   read again by the next read that covers it, which sends a new receipt.

import type { ChatId } from "../../shared/protocol";
import { shown } from "./hidden";
import type { ChatRows } from "./mailbox-chats";
import type { MessageLookup } from "./mailbox-lookup";

/** Messages of one sender in one chat, newly delivered or read: one receipt's worth. */
export interface ReceiptGroup {
  sender: string;
  chat: ChatId;
  ids: string[];
}

/** Ids acknowledged past a gap, per chat, at most this many (then forgotten: a repeat costs a second receipt). */
const ABOVE_MAX = 1_000;

export class ReceiptPositions {
  private readonly above = new Map<string, Set<string>>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly owner: string,
    private readonly chats: ChatRows,
    private readonly lookup: MessageLookup,
  ) {}

  /** Marks messages from others delivered to a device; returns the newly delivered, by chat. */
  markDelivered(ids: readonly string[]): ReceiptGroup[] {
    const byChat = new Map<string, string[]>();
    for (const id of new Set(ids)) {
      const chat = this.lookup.chatOf(id);
      if (chat === null || !chat.startsWith("u:")) continue;
      byChat.set(chat, [...(byChat.get(chat) ?? []), id]);
    }
    const groups: ReceiptGroup[] = [];
    for (const [chat, chatIds] of byChat) {
      const row = this.chats.get(chat);
      if (!row) continue;
      const above = this.above.get(chat) ?? new Set<string>();
      const candidates = chatIds.filter((id) => id > row.delivered_upto && !above.has(id));
      if (candidates.length === 0) continue;
      // The peer's messages after the position, as many as could be acknowledged
      // now: usually the candidates are the first of them (a device acknowledges
      // in order), and this one read both finds them and moves the position.
      const next = this.peerAfter(chat, row.delivered_upto, above.size + candidates.length);
      const wanted = new Set(candidates);
      let fresh = next.filter((r) => wanted.has(r.id));
      if (fresh.length < candidates.length) {
        // Some lie further on (past a gap), or are not the peer's: looked up by id.
        // Only messages from the peer count (not own ones, nor system lines).
        fresh = this.sql
          .exec<{ id: string; sender: string }>(
            `SELECT id, sender FROM messages WHERE chat = ? AND id IN (SELECT value FROM json_each(?))
               AND sender != ? AND system IS NULL ORDER BY id`,
            chat,
            JSON.stringify(candidates),
            this.owner,
          )
          .toArray();
      }
      if (fresh.length === 0) continue;
      for (const { id } of fresh) above.add(id);
      this.advance(chat, above, next);
      groups.push({ sender: fresh[0]?.sender ?? "", chat: chat as ChatId, ids: fresh.map((r) => r.id) });
    }
    return groups;
  }

  /** The peer's messages of a chat after `after`, oldest first (own ones and system lines left out). */
  private peerAfter(chat: string, after: string, limit: number): { id: string; sender: string }[] {
    return this.sql
      .exec<{ id: string; sender: string }>(
        "SELECT id, sender FROM messages WHERE chat = ? AND id > ? AND sender != ? AND system IS NULL ORDER BY id LIMIT ?",
        chat,
        after,
        this.owner,
        limit,
      )
      .toArray();
  }

  /**
   * Moves the delivered position over the acknowledged ids that follow it
   * without a gap. `next`: the peer's messages after the position, at least
   * `above.size` of them if there are (read by the caller), else read here.
   */
  private advance(chat: string, above: Set<string>, next?: { id: string }[]): void {
    const row = this.chats.get(chat);
    if (!row) return;
    const after = next ?? this.peerAfter(chat, row.delivered_upto, above.size);
    let upto = row.delivered_upto;
    for (const { id } of after) {
      if (!above.has(id)) break;
      above.delete(id);
      upto = id;
    }
    if (upto !== row.delivered_upto) {
      this.chats.update(chat, (r) => {
        r.delivered_upto = upto;
      });
    }
    if (above.size === 0 || above.size > ABOVE_MAX) this.above.delete(chat);
    else this.above.set(chat, above);
  }

  /** Marks a chat read up to and including a message; returns the newly read, by sender. */
  markRead(chat: ChatId, upTo: string): ReceiptGroup[] {
    const row = this.chats.get(chat);
    if (!row) return [];
    // After the position only (an index range): what came since the last read.
    // `shown`: a hosted row hidden from the owner (./hidden.ts) was never counted unread; it is receipted
    // (the position passes it; ./hosted-receipts.ts drops it) but not taken off the count.
    const after = this.sql
      .exec<{ id: string; sender: string; shown: number }>(
        `SELECT id, sender, ${shown("messages.id")} AS shown FROM messages WHERE chat = ?1 AND id > ?2 AND id <= ?3
           AND sender != ?4 AND system IS NULL ORDER BY id`,
        chat,
        row.read_upto,
        upTo,
        this.owner,
      )
      .toArray();
    // Below it, the few an edit made unread again.
    const again = this.sql
      .exec<{ id: string; sender: string; shown: number }>(
        `UPDATE messages SET unread_mark = NULL WHERE chat = ?1 AND id <= ?2 AND unread_mark IS NOT NULL
         RETURNING id, sender, ${shown("messages.id")} AS shown`,
        chat,
        upTo,
      )
      .toArray();
    const fresh = [...again, ...after].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (fresh.length === 0) return [];
    const newest = after.at(-1)?.id ?? row.read_upto;
    this.chats.update(chat, (r) => {
      r.unread = Math.max(0, r.unread - fresh.filter((m) => m.shown).length);
      r.read_upto = newest;
      if (r.delivered_upto < newest) r.delivered_upto = newest;
    });
    const above = this.above.get(chat);
    if (above) this.advance(chat, new Set([...above].filter((id) => id > newest)));
    // A read is the user's act, shown on every device (the unread count): written now,
    // one row per read frame, not per message. Deliveries wait for the next flush.
    this.chats.flush();
    const sender = fresh[0]?.sender ?? "";
    return [{ sender, chat, ids: fresh.map((r) => r.id) }];
  }

  /**
   * An edit of a peer message: if it was read, it is unread again (marked in
   * the edit's own row write: the caller adds `unread_mark = 1` when this says so).
   */
  readBefore(chat: string, id: string): boolean {
    const row = this.chats.get(chat);
    return row !== null && id <= row.read_upto;
  }

  /** The edit marked it: one more unread. */
  unreadAgain(chat: string): void {
    this.chats.update(chat, (r) => {
      r.unread += 1;
    });
  }
}
