// Replay for a device that was away: every mailbox entry after its cursor, in
// seq order, read in bounded pages, then `synced` with the cursor to keep.
// It runs without awaiting, so no new message can slip in between the last
// page and `synced`: the cursor covers exactly what was sent.
//
// With `batch: true` the entries travel many to a `replay` frame instead of
// one frame each: sending a frame is the runtime's dearest step of a replay
// (a quarter of its CPU in the benchmark's profile), so a device coming back
// to a thousand messages gets a handful of frames.
//
// The mailbox has four kinds of entries sharing one seq counter: messages,
// receipts and changes (edits, deletes) in its own tables, and group entries,
// read from the groups' logs beforehand (./group-reads.ts: the only async
// part, done before the first frame). Each page reads the next rows of each
// kind and merges them by seq.
//
// Messages archived to R2 (./mailbox-archive-reads.ts) are replayed first, a
// few pages a round, each round loaded before its own synchronous block
// (`part`); the socket is `syncing` meanwhile (./sockets.ts), so what
// arrives between rounds waits for the last block rather than going ahead.

import { REPLAY_FRAME_BYTES, REPLAY_FRAME_ENTRIES_MAX, SYNC_BATCH } from "../../shared/limits";
import type { Message, ServerFrame } from "../../shared/protocol";
import type { Mailbox } from "./mailbox";
import { send } from "./sockets";

interface Entry {
  seq: number;
  /** Several for a group's batch of receipts (one row, a frame per reader). */
  frame: ServerFrame | ServerFrame[] | null;
}

/** One round of an archived range: entries up to `upTo`, messages from `messages` (no `synced` after). */
export interface ReplayPart {
  upTo: number;
  messages: (after: number, limit: number) => Message[];
}

/** Answers the seq replayed up to. */
export function replay(
  mailbox: Mailbox,
  ws: WebSocket,
  after: number,
  batch = false,
  groups: Entry[] = [],
  part?: ReplayPart,
): number {
  const out = batch ? new ReplayBatcher((text) => send(ws, text)) : null;
  const messagesAfter = part?.messages ?? ((from: number, limit: number) => mailbox.reads.messagesAfter(from, limit));
  let cursor = after;
  let g = 0; // the next group entry
  for (;;) {
    while (g < groups.length && (groups[g]?.seq ?? 0) <= cursor) g += 1;
    const pages: Entry[][] = [
      groups.slice(g, g + SYNC_BATCH),
      messagesAfter(cursor, SYNC_BATCH).map((message) => ({ seq: message.seq, frame: { type: "message", message } })),
      mailbox.reads.receiptsAfter(cursor, SYNC_BATCH),
      mailbox.changes.after(cursor, SYNC_BATCH),
    ];
    if (pages.every((page) => page.length === 0)) break;
    // Up to the end of the shortest full page, so that nothing is skipped when
    // one kind has more rows past this page.
    let limit = part?.upTo ?? Infinity;
    for (const page of pages) {
      if (page.length === SYNC_BATCH) limit = Math.min(limit, page.at(-1)?.seq ?? Infinity);
    }
    const entries = pages.flat().filter((entry) => entry.seq <= limit);
    if (entries.length === 0) break; // all beyond this part's end
    entries.sort((a, b) => a.seq - b.seq);
    for (const entry of entries) {
      for (const frame of entry.frame === null ? [] : [entry.frame].flat()) {
        if (out) out.add(frame);
        else send(ws, frame);
      }
      cursor = entry.seq;
    }
  }
  out?.flush();
  if (part) return Math.max(cursor, part.upTo);
  send(ws, { type: "synced", seq: mailbox.lastSeq });
  return cursor;
}

/** Gathers replayed entries into `replay` frames of bounded count and size, each handed to `out`. */
export class ReplayBatcher {
  private parts: string[] = [];
  private bytes = 0;

  constructor(private readonly out: (text: string) => void) {}

  add(frame: ServerFrame): void {
    this.addText(JSON.stringify(frame));
  }

  /** An entry already serialized (its frame's JSON). */
  addText(text: string): void {
    if (this.parts.length > 0 && this.bytes + text.length > REPLAY_FRAME_BYTES) this.flush();
    this.parts.push(text);
    this.bytes += text.length;
    if (this.parts.length >= REPLAY_FRAME_ENTRIES_MAX) this.flush();
  }

  /** The frame is built from the entries' own JSON, so nothing is serialized twice. */
  flush(): void {
    if (this.parts.length === 0) return;
    this.out(`{"type":"replay","frames":[${this.parts.join(",")}]}`);
    this.parts = [];
    this.bytes = 0;
  }
}
