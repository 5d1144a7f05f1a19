// Stores what other objects deliver to the user's mailbox (./mailbox.ts):
// messages, changes, reactions and receipts, each at its own seq; a repeated
// delivery stores nothing. Synchronous, like the mailbox: one call's writes
// commit together.

import type { Message, ServerFrame } from "../../shared/protocol";
import type { InboxItem, InboxMessage, InboxReceipt, InboxReceipts } from "../inbox";
import type { Mailbox } from "./mailbox";
import { BATCH_READER, receiptFrames } from "./mailbox-reads";
import { quoteColumns } from "./quotes";

type ReceiptFrame = Extract<ServerFrame, { type: "receipt" }>;

export class MailboxAccept {
  constructor(
    private readonly sql: SqlStorage,
    private readonly mailbox: Mailbox,
  ) {}

  /**
   * Stores what other objects delivered and answers the frames for the
   * user's devices, in mailbox order; duplicates are dropped.
   */
  accept(items: InboxItem[]): ServerFrame[] {
    const frames: ServerFrame[] = [];
    for (const item of items) {
      if (item.kind === "message") {
        const stored = this.acceptMessage(item);
        if (stored) {
          frames.push({ type: "message", message: stored });
          frames.push(...this.mailbox.changes.release(item.id));
        }
      } else if (item.kind === "change") {
        const frame = this.mailbox.changes.accept(item);
        if (frame) frames.push(frame);
      } else if (item.kind === "reaction") {
        const frame = this.mailbox.reactions.accept(item);
        if (frame) frames.push(frame);
      } else {
        frames.push(...this.acceptReceipt(item));
      }
    }
    return frames;
  }

  /**
   * One receipts row per delivery: a reader's receipt (one-to-one), or a
   * group's batch of many readers' (`by` = "*", `ids` = reader → ids), shown
   * now and stored with the next commit (./receipt-hold.ts). Message info
   * reads these rows themselves (receipt-marks.ts): no mark per message.
   * A repeat (a retry after a lost answer) is dropped: rids are in no index
   * (schema steps 16 and 18, a page written per receipt), so a receipt is
   * looked for only when its sender says it hands it over again (`retry`:
   * a group's retry, or any delivery from a reader's outbox storage).
   */
  private acceptReceipt(item: InboxReceipt | InboxReceipts): ReceiptFrame[] {
    const batch = item.kind === "receipts";
    const again = item.retry === true && this.mailbox.reads.hasRecentReceipt(item.rid);
    if (again || this.mailbox.held.holds(item.rid)) return [];
    const { rid, chat, status, ts } = item;
    const ids = JSON.stringify(batch ? item.readers : item.ids);
    this.mailbox.held.hold({
      seq: this.mailbox.nextSeq(),
      rid,
      chat,
      ids,
      status,
      by: batch ? BATCH_READER : item.by,
      ts,
    });
    return receiptFrames(chat, batch ? item.readers : { [item.by]: item.ids }, status, ts);
  }

  private acceptMessage(item: InboxMessage): Message | null {
    if (this.mailbox.changes.isForgotten(item.id)) return null;
    const seq = this.mailbox.nextSeq();
    const system = item.system ? JSON.stringify(item.system) : null;
    // The owner's own group message keeps its clientId, so that a retried send
    // finds it; a clientId the client reused for another message is dropped.
    const clientId =
      item.clientId !== undefined && item.from === this.mailbox.owner && !this.mailbox.findByClientId(item.clientId)
        ? item.clientId
        : null;
    // A quote shows the quoted message as this mailbox has it, if it has it.
    const quote = item.replyTo ? (this.mailbox.quote(item.replyTo.id) ?? item.replyTo) : null;
    // A repeated delivery writes nothing (the insert is ignored, its seq given back).
    const written = this.sql.exec(
      `INSERT INTO messages (seq, id, chat, sender, text, ts, system, client_id, reply_to, reply_from, reply_excerpt, forwarded, media)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(chat, id) DO NOTHING`,
      seq,
      item.id,
      item.chat,
      item.from,
      item.text,
      item.ts,
      system,
      clientId,
      ...quoteColumns(quote),
      item.forwarded ?? null,
      item.media ? JSON.stringify(item.media) : null,
    ).rowsWritten;
    if (written === 0) {
      this.mailbox.giveBack();
      return null;
    }
    const fromOther = item.from !== this.mailbox.owner && !item.system;
    this.mailbox.lookup.remember(item.id, item.chat);
    this.mailbox.chatRows.touch(item.chat, seq, item.id, fromOther, false, null);
    // A contact is someone this user wrote to (appendOwn): a stranger's first message makes none.
    const message: Message = { id: item.id, chat: item.chat, from: item.from, text: item.text, ts: item.ts, seq };
    if (clientId !== null) message.clientId = clientId;
    if (item.system) message.system = item.system;
    if (quote) message.replyTo = quote;
    if (item.forwarded !== undefined) message.forwarded = item.forwarded;
    if (item.media) message.media = item.media;
    return message;
  }
}
