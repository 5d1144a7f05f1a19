// Receipts of a hosted chat as positions, where they arrive
// (docs/one-copy-per-chat.md, "Step 3, as built"):
// - at the guest, the host's batches (`takeHostedReceipts`, sent by
//   ./hosted-receipts.ts): stored as a group's batch is (one row, `by` = '*',
//   held for a commit: ./receipt-hold.ts), a `receipt` frame on each device;
// - at the host, the guest's "delivered / read up to" (`hostedAck`, sent by
//   ./group-acks.ts as a member's to its group): the host's own messages they
//   newly cover, one batch row per status, a frame on each device.
// Each side keeps the other's positions (./peer-positions.ts), so a repeated
// acknowledgement makes no second receipt, and positions only go up.

import { AppError } from "../../shared/errors";
import type { ChatId } from "../../shared/protocol";
import type { PulledPage } from "../group-object";
import type { InboxReceipts } from "../inbox";
import { hosts } from "./hosted-append";
import type { HeldPositions, HostedReceiptBatch } from "./hosted-receipts";
import { accept } from "./inbound";
import type { UserParts } from "./parts";

/** Messages one acknowledgement can cover at once (as a group's, group/receipts.ts). */
const NEWLY_MAX = 1_000;

const max = (a: string, b: string): string => (a > b ? a : b);

/**
 * The host's batch, at its guest. Answers the host's positions this object
 * holds receipts up to. When the host's `from` (its last answer from here) is
 * ahead of what is held, batches were lost here (a crash before their rows
 * were written): the answer is what was held before, and the host hands the
 * difference again.
 */
export async function takeHostedReceipts(
  me: UserParts,
  host: string,
  batch: HostedReceiptBatch,
): Promise<HeldPositions> {
  if (!hosts(host, me.userId)) throw new AppError("forbidden", "only the chat's host hands its receipts over");
  const chat = `u:${host}`;
  const before = me.peerPositions.of(chat, host);
  const items = batch.items.filter((item) => item.kind === "receipts" && item.chat === chat);
  if (items.length > 0) await accept(me, items);
  const raised = me.peerPositions.raise(chat, host, batch.upto);
  const { from } = batch;
  const intact = from !== null && before.delivered >= from.delivered && before.read >= from.read;
  return intact ? raised : before;
}

/**
 * The guest's devices got (or read) the host's messages of their chat up to
 * these ids. Answers the guest's unread count after its read position, up to
 * `upto` (the newest entry its object took), when it read.
 */
export async function hostedAck(
  me: UserParts,
  guest: string,
  delivered: string,
  read: string,
  upto: string,
): Promise<{ unread: number | null }> {
  const chat: ChatId = `u:${guest}`;
  const row = hosts(me.userId, guest) ? me.mailbox.chatRows.get(chat) : null;
  if (!row || row.hosted_from === null) throw new AppError("not_found", "no such chat");
  const sql = me.ctx.storage.sql;
  const own = (after: string, upTo: string): string[] =>
    upTo <= after
      ? []
      : sql
          .exec<{ id: string }>(
            `SELECT id FROM messages WHERE chat = ? AND id > ? AND id <= ? AND sender = ? AND pos IS NOT NULL
               AND system IS NULL ORDER BY id LIMIT ${NEWLY_MAX}`,
            chat,
            max(after, row.hosted_from ?? ""),
            upTo,
            me.userId,
          )
          .toArray()
          .map((r) => r.id);
  const before = me.peerPositions.of(chat, guest);
  const now = Date.now();
  const items: InboxReceipts[] = [];
  const batch = (status: "delivered" | "read", ids: string[]) => {
    if (ids.length === 0) return;
    const rid = `${chat}.${status}.${now}.${ids.at(-1)}`;
    items.push({ kind: "receipts", rid, chat, status, ts: now, readers: { [guest]: ids } });
  };
  batch("read", own(before.read, read));
  batch("delivered", own(max(max(before.delivered, before.read), read), delivered));
  if (items.length > 0) await accept(me, items);
  const at = me.peerPositions.raise(chat, guest, { delivered, read });
  if (read === "") return { unread: null };
  return { unread: unreadOf(me, guest, at.read, upto) };
}

/** The host's messages the guest has not read: after `after`, up to `upto`. */
function unreadOf(me: UserParts, guest: string, after: string, upto: string): number {
  return me.ctx.storage.sql
    .exec<{ n: number }>(
      `SELECT count(*) AS n FROM messages WHERE chat = ? AND id > ? AND id <= ? AND sender = ? AND pos IS NOT NULL
         AND system IS NULL AND deleted_at IS NULL`,
      `u:${guest}`,
      after,
      upto,
      me.userId,
    )
    .one().n;
}

/**
 * A guest's pull with `known` (the read position its object has), as a
 * group's: the guest's read position held here when further, with its
 * unread count up to `after`. A guest evicted before its row was written
 * takes its read back from here.
 */
export function withRead(me: UserParts, guest: string, page: PulledPage, after: string, known?: string): PulledPage {
  if (known === undefined) return page;
  const read = me.peerPositions.of(`u:${guest}`, guest).read;
  if (read > known) page.read = { upTo: read, unread: unreadOf(me, guest, read, after) };
  return page;
}

/** The host edited its message in a chat it hosts: the guest's read position goes back before it. */
export function ownEdited(me: UserParts, message: { id: string; chat: string }): void {
  const row = me.mailbox.chatRows.get(message.chat);
  if (!row || row.hosted_from === null || message.id <= row.hosted_from) return;
  me.peerPositions.edited(message.chat, message.chat.slice(2), message.id);
}
