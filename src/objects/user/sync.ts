// Replay for a device that was away: every mailbox entry after its cursor, in
// seq order, read in bounded pages, then `synced` with the cursor to keep.
// It runs without awaiting, so no new message can slip in between the last
// page and `synced`: the cursor covers exactly what was sent.

import { SYNC_BATCH } from "../../shared/limits";
import type { Mailbox } from "./mailbox";
import { send } from "./sockets";

export function replay(mailbox: Mailbox, ws: WebSocket, after: number): void {
  let cursor = after;
  for (;;) {
    const messages = mailbox.messagesAfter(cursor, SYNC_BATCH);
    const receipts = mailbox.receiptsAfter(cursor, SYNC_BATCH);
    if (messages.length === 0 && receipts.length === 0) break;
    // Merge the two pages by seq, up to the end of the shorter full page, so
    // that nothing is skipped when one table has more rows past this page.
    const limit = Math.min(
      messages.length === SYNC_BATCH ? (messages.at(-1)?.seq ?? Infinity) : Infinity,
      receipts.length === SYNC_BATCH ? (receipts.at(-1)?.seq ?? Infinity) : Infinity,
    );
    let m = 0;
    let r = 0;
    for (;;) {
      const message = messages[m];
      const receipt = receipts[r];
      const nextSeq = Math.min(message?.seq ?? Infinity, receipt?.seq ?? Infinity);
      if (nextSeq === Infinity || nextSeq > limit) break;
      if (message && message.seq === nextSeq) {
        send(ws, { type: "message", message });
        m++;
      } else if (receipt) {
        send(ws, receipt.frame);
        r++;
      }
      cursor = nextSeq;
    }
  }
  send(ws, { type: "synced", seq: mailbox.lastSeq });
}
