// Replay for a device that was away: every mailbox entry after its cursor, in
// seq order, read in bounded pages, then `synced` with the cursor to keep.
// It runs without awaiting, so no new message can slip in between the last
// page and `synced`: the cursor covers exactly what was sent.
//
// The mailbox has three kinds of entries sharing one seq counter: messages,
// receipts and changes (edits, deletes). Each page reads the next rows of
// each kind and merges them by seq.

import { SYNC_BATCH } from "../../shared/limits";
import type { ServerFrame } from "../../shared/protocol";
import type { Mailbox } from "./mailbox";
import { send } from "./sockets";

interface Entry {
  seq: number;
  frame: ServerFrame | null;
}

export function replay(mailbox: Mailbox, ws: WebSocket, after: number): void {
  let cursor = after;
  for (;;) {
    const pages: Entry[][] = [
      mailbox
        .messagesAfter(cursor, SYNC_BATCH)
        .map((message) => ({ seq: message.seq, frame: { type: "message", message } })),
      mailbox.receiptsAfter(cursor, SYNC_BATCH),
      mailbox.changes.after(cursor, SYNC_BATCH),
    ];
    if (pages.every((page) => page.length === 0)) break;
    // Up to the end of the shortest full page, so that nothing is skipped when
    // one kind has more rows past this page.
    let limit = Infinity;
    for (const page of pages) {
      if (page.length === SYNC_BATCH) limit = Math.min(limit, page.at(-1)?.seq ?? Infinity);
    }
    const entries = pages.flat().filter((entry) => entry.seq <= limit);
    entries.sort((a, b) => a.seq - b.seq);
    for (const entry of entries) {
      if (entry.frame) send(ws, entry.frame);
      cursor = entry.seq;
    }
  }
  send(ws, { type: "synced", seq: mailbox.lastSeq });
}
