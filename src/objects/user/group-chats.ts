// A member's side of its groups. The group's log is the only copy of a group
// message (docs/groups.md): this object takes the entries its group pushes (or
// that it pulls), numbers each with the next seq of its mailbox, sends the
// frames to its devices, and remembers only which seqs stand for which
// positions: a run (seq, pos, count) says the entries at positions
// pos .. pos+count-1 have seqs seq .. seq+count-1. Runs and each group's row
// are kept in memory and written in batches (the user object's flush), not
// once per message.
//
// Seqs handed out before their run is stored are covered by a reservation
// (`seq_reserved`, written once per SEQ_BLOCK seqs, in the block that hands
// out the first of them): after a crash the counter starts above it, the
// entries whose run was lost are taken again at new, higher seqs, and devices
// that saw them live drop the second copy by id.

import type { Message, ServerFrame } from "../../shared/protocol";
import type { GroupEntry } from "../group-entry";
import type { Meta } from "../storage/meta";
import { SEQ_RESERVED_KEY } from "./counters";
import { changeFrame } from "./group-change-frame";
import {
  type ChatRow,
  fromRow,
  type GroupChat,
  type Run,
  storedCount,
  storedRunsAfter,
  storedSeqOf,
  writeChat,
  writePage,
} from "./group-chat-store";
import { extendRun, runsInMemory, seqInRuns } from "./group-runs";
import type { Mailbox } from "./mailbox";
import { quoteOf } from "./quotes";
import { RecentEntries } from "./recent-entries";

/**
 * Seqs reserved at a time. A woken object starts above the reservation (the
 * seqs its last life handed out unwritten are not known), so each wake that
 * takes entries writes one reservation: a bigger block only skips more
 * numbers, and a busy member writes it once per SEQ_BLOCK entries.
 */
export const SEQ_BLOCK = 1000;
/**
 * Entries taken per group row on average before a batch is written. There is
 * no timer: everything here can be taken again from the group's log (a gap is
 * pulled), so waiting costs only a longer pull after an eviction; the rows are
 * also written before a sender's `sent` and when the last device leaves.
 */
export const FLUSH_EVERY = 50;

export class GroupChats {
  private readonly rows = new Map<string, GroupChat>();
  private loaded = false;
  private readonly dirtyRows = new Set<string>();
  /** Pages of ended runs that left their rows, written with the next flush (with the rows). */
  private readonly pages: Run[][] = [];
  /** Entries taken since the last flush. */
  private taken = 0;
  private readonly recentEntries = new RecentEntries();
  private reserved: number;
  /** Counts the writes this makes (a reservation, a flush, an old message's change): a take that made none wrote nothing. */
  writes = 0;

  constructor(
    private readonly sql: SqlStorage,
    private readonly meta: Meta,
    private readonly mailbox: Mailbox,
    /** Keeps the greatest seq handed out where a wake finds it (./seq-hold.ts). */
    private readonly hold: (seq: number) => void = () => {},
  ) {
    this.reserved = meta.number(SEQ_RESERVED_KEY);
  }

  get(chat: string): GroupChat | null {
    if (!this.loaded && !this.rows.has(chat)) {
      const row = this.sql.exec<ChatRow>("SELECT * FROM group_chats WHERE chat = ?", chat).toArray()[0];
      if (row) this.rows.set(chat, fromRow(row));
    }
    return this.rows.get(chat) ?? null;
  }

  /** Every group this user is or was in. */
  all(): GroupChat[] {
    if (!this.loaded) {
      for (const row of this.sql.exec<ChatRow>("SELECT * FROM group_chats").toArray()) {
        if (!this.rows.has(row.chat)) this.rows.set(row.chat, fromRow(row));
      }
      this.loaded = true;
    }
    return [...this.rows.values()];
  }

  /**
   * A quoted message changed (its new text, or null: deleted for everyone): a
   * row whose newest message quotes it keeps the quote in step, as mailbox
   * rows do (./quotes.ts), so the chat list shows no deleted text.
   */
  requote(id: string, text: string | null): void {
    for (const row of this.all()) {
      if (row.last === null || !row.last.includes(id)) continue;
      const last = JSON.parse(row.last) as Message;
      if (last.replyTo?.id !== id || last.replyTo.deleted) continue;
      // The mailbox's quote of the same change (./quotes.ts); a reaction leaves it as it was, and writes nothing.
      const replyTo = quoteOf({
        id,
        sender: last.replyTo.from,
        text: text ?? "",
        deleted_at: text === null ? 0 : null,
      });
      if (replyTo.excerpt === last.replyTo.excerpt && !replyTo.deleted) continue;
      row.last = JSON.stringify({ ...last, replyTo });
      this.dirtyRows.add(row.chat);
    }
  }

  /** Whether message `id` belongs to one of this user's groups (ids end with their group's id). */
  isGroupMessage(id: string): boolean {
    return this.get(`g:${id.slice(-16)}`) !== null;
  }

  /**
   * Takes entries of a group, oldest first: those after what it has get the
   * next seqs; answers the frames for the user's devices. Synchronous.
   */
  take(chat: string, entries: readonly GroupEntry[], hidden: (id: string) => boolean): ServerFrame[] {
    const row = this.get(chat) ?? this.create(chat);
    const frames: ServerFrame[] = [];
    for (const entry of entries) {
      if (entry.id <= row.upto) continue;
      this.dirtyRows.add(chat);
      const seq = this.nextSeq();
      this.taken += 1;
      const page = extendRun(row, entry.pos, seq);
      if (page) this.pages.push(page);
      row.upto = entry.id;
      row.uptoPos = entry.pos;
      this.recentEntries.add(chat, entry);
      if (entry.change) {
        // The cached message takes its new state: a replay must not show a deleted text again.
        this.recentEntries.changed(chat, entry.change.pos, entry.message);
        const frame = changeFrame(this, this.mailbox, row, entry, seq, hidden);
        if (frame) frames.push(frame);
        continue;
      }
      const message: Message = { ...entry.message, seq };
      row.lastSeq = seq;
      row.last = JSON.stringify(message);
      const others = message.from !== this.mailbox.owner && !message.system && message.deletedAt === undefined;
      // At or before the read position (taken again after a wake that got the read back from the group): read.
      if (others && entry.id > row.readUpto) row.unread += 1;
      if (!hidden(entry.id)) frames.push({ type: "message", message });
    }
    this.hold(this.mailbox.lastSeq);
    return frames;
  }

  /** Enough was taken that waiting longer saves little: the caller writes now. */
  get due(): boolean {
    return this.taken >= FLUSH_EVERY * Math.max(1, this.dirtyRows.size);
  }

  /** An entry taken since this object woke (see ./recent-entries.ts). */
  recent(chat: string, pos: number): GroupEntry | undefined {
    return this.recentEntries.get(chat, pos);
  }

  recentCovers(chat: string, from: number, to: number): boolean {
    return this.recentEntries.covers(chat, from, to);
  }

  private create(chat: string): GroupChat {
    const row: GroupChat = {
      chat,
      upto: "",
      uptoPos: 0,
      floor: "",
      lastSeq: 0,
      last: null,
      unread: 0,
      readUpto: "",
      run: null,
      ended: [],
    };
    this.rows.set(chat, row);
    return row;
  }

  /** The next seq of the mailbox, reserved durably in blocks before it is handed out. */
  private nextSeq(): number {
    const seq = this.mailbox.nextSeq();
    if (seq > this.reserved) {
      this.reserved = seq + SEQ_BLOCK - 1;
      this.meta.set(SEQ_RESERVED_KEY, this.reserved);
      this.writes += 1;
    }
    return seq;
  }

  /** Runs not in a stored page nor in group_runs (./group-runs.ts), of `chat` or of all groups. */
  private inMemory(chat?: string): Run[] {
    const rows = chat === undefined ? this.all() : [this.get(chat)].filter((r) => r !== null);
    return runsInMemory(rows, this.pages, chat);
  }

  /** This user's seq for the entry at `pos` (id `id`) of a group, or null if it has none. */
  seqOf(chat: string, pos: number, id: string): number | null {
    const row = this.get(chat);
    if (!row) return null;
    if (id <= row.floor) {
      return this.mailbox.findById(id)?.seq ?? null;
    }
    return seqInRuns(this.inMemory(chat), pos) ?? storedSeqOf(this.sql, chat, pos);
  }

  /** Runs with seqs after `after`, stored or not yet, in seq order. */
  runsAfter(after: number): Run[] {
    const runs = new Map<number, Run>();
    for (const run of storedRunsAfter(this.sql, after)) runs.set(run.seq, run);
    for (const run of this.inMemory()) if (run.seq + run.count - 1 > after) runs.set(run.seq, { ...run });
    return [...runs.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Group entries this user has taken (messages, system messages and changes): each has a seq. */
  takenCount(): number {
    const stored = storedCount(this.sql);
    let open = 0;
    for (const run of this.inMemory()) open += run.count;
    return stored + open;
  }

  /**
   * After a read: the chat's unread count as the group counted it, in
   * memory, written with the next batch. The group stored the read position
   * before it answered (group/read-marks.ts): an object evicted before its
   * batch gets it back from the group's pull at its next wake (`recoverRead`).
   */
  setRead(chat: string, upTo: string, unread: number | null): void {
    const row = this.get(chat);
    if (!row) return;
    if (upTo > row.readUpto) row.readUpto = upTo;
    if (unread !== null) row.unread = unread;
    this.dirtyRows.add(chat);
  }

  /**
   * The group's pull after `after` says the member read up to `upTo`, with
   * `unread` of others' messages left up to `after`: taken when it is further
   * than this row's and the row still stands at `after` (entries taken
   * meanwhile would not be counted). Answers whether the row is now current.
   */
  recoverRead(chat: string, after: string, upTo: string, unread: number): boolean {
    const row = this.get(chat);
    if (!row) return true;
    if (row.upto !== after) return false;
    if (upTo > row.readUpto) {
      row.readUpto = upTo;
      row.unread = unread;
      this.dirtyRows.add(chat);
    }
    return true;
  }

  get dirty(): boolean {
    return this.dirtyRows.size > 0 || this.pages.length > 0;
  }

  /** Writes what moved: one row per group touched (with its ended runs), one per page of ended runs. */
  flush(): void {
    this.writes += 1;
    for (const chat of this.dirtyRows) {
      const row = this.rows.get(chat);
      if (!row) continue;
      writeChat(this.sql, row);
    }
    for (const page of this.pages) writePage(this.sql, page);
    this.dirtyRows.clear();
    this.pages.length = 0;
    this.taken = 0;
  }
}
