// Each recipient's cursor (the last log id its user object took) and its
// receipt watermarks (delivered, read), kept in memory and written in
// batches: a row per recipient once recipients have taken FLUSH_EVERY
// entries each on average, whatever the rate. No timer writes them: what is
// lost with the object costs pushes repeated from the stored cursors (members
// skip what they have) and receipts sent again by the next acknowledgement,
// never a message (docs/groups.md, "What a group message costs").

import { Meta } from "../storage/meta";
import { ReadMarks } from "./read-marks";

/** A recipient's positions: the last id its object took, and the receipt watermarks. */
export interface CursorMarks {
  acked: string;
  delivered: string;
  read: string;
}

/** A former member with nothing more owed: its row stays for its watermarks, above every id. */
export const RETIRED = "~";
/** Entries taken per recipient on average before the moved cursors are written. */
export const FLUSH_EVERY = 50;
/**
 * A batch is written this long after it is due, not at once: the receipts
 * gathered meanwhile (RECEIPT_BATCH_MS, 250 ms) leave first, so a stored
 * watermark never hides receipts lost with the object.
 */
const FLUSH_DELAY_MS = 600;
/** Entries in a first push after a wake from which the batch is written (see `took`). */
const WAKE_WRITE = 10;

export class Cursors {
  /** Cursors and watermarks as they stand in memory (ahead of storage until the next flush). */
  private readonly marks = new Map<string, CursorMarks>();
  private readonly dirty = new Set<string>();
  /** Entries taken since the last flush, all recipients together. */
  private moves = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Read positions moved since their rows were written, stored together (./read-marks.ts). */
  readonly reads: ReadMarks;

  constructor(private readonly sql: SqlStorage) {
    this.reads = new ReadMarks(new Meta(sql));
  }

  /** A cursor for a new member, just before its first entry; a returning one keeps its own. */
  open(user: string, before: string): void {
    this.flushOne(user);
    this.sql.exec(
      `INSERT INTO cursors (user_id, acked, delivered) VALUES (?1, ?2, ?2)
       ON CONFLICT(user_id) DO UPDATE SET acked = CASE WHEN acked = ?3 THEN ?2 ELSE acked END`,
      user,
      before,
      RETIRED,
    );
    this.marks.delete(user);
  }

  /** A recipient's cursor and watermarks (null: it never was one). */
  marksOf(user: string): CursorMarks | null {
    let marks = this.marks.get(user);
    if (!marks) {
      const row = this.sql
        .exec<{ acked: string; delivered: string; read: string }>(
          "SELECT acked, delivered, read FROM cursors WHERE user_id = ?",
          user,
        )
        .toArray()[0];
      if (!row) return null;
      marks = { acked: row.acked, delivered: row.delivered, read: row.read };
      // A read answered since the row was written is in the gathered record (./read-marks.ts).
      const gathered = this.reads.of(user);
      if (gathered > marks.read) marks.read = gathered;
      this.marks.set(user, marks);
    }
    return marks;
  }

  /**
   * The recipient's object took `count` entries, through `last`. `first`:
   * the first push to it since this object woke. One that carried many
   * entries was most likely pushing again what the stored cursor lags behind
   * (the object was evicted before its batch was due): written soon, or a
   * quiet group would push them all again at every wake.
   */
  took(user: string, last: string, count: number, first = false): void {
    const marks = this.marksOf(user);
    if (!marks || last <= marks.acked) return;
    marks.acked = last;
    this.dirty.add(user);
    this.moves += count;
    if (this.moves >= FLUSH_EVERY * this.dirty.size || (first && count >= WAKE_WRITE)) {
      this.timer ??= setTimeout(() => this.flush(), FLUSH_DELAY_MS);
    }
  }

  /** Moves a recipient's watermarks (they only go up); written with the next batch of cursors. */
  setWatermarks(user: string, delivered: string, read: string): void {
    const marks = this.marksOf(user);
    if (!marks) return;
    if (delivered > marks.delivered) marks.delivered = delivered;
    if (read > marks.read) {
      marks.read = read;
      this.reads.moved(user, read);
    }
    this.dirty.add(user);
  }

  /**
   * An edit makes its message unread again: every read watermark at or past
   * it goes back to just before it (`below`), so that reading it again sends
   * a new read receipt. Rare (edits), so written at once.
   */
  lowerReads(id: string, below: string): void {
    this.flush();
    for (const marks of this.marks.values()) if (marks.read >= id) marks.read = below;
    this.sql.exec("UPDATE cursors SET read = ?1 WHERE read >= ?2", below, id);
    this.reads.lower(id, below);
  }

  /** Writes every moved cursor and watermark: one row per recipient, whatever it took since. */
  flush(): void {
    for (const user of this.dirty) this.write(user);
    this.dirty.clear();
    this.moves = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** A former member owed nothing more: its row stays, above every id. */
  retire(user: string): void {
    this.flushOne(user);
    this.sql.exec("UPDATE cursors SET acked = ? WHERE user_id = ?", RETIRED, user);
    this.marks.delete(user);
  }

  private flushOne(user: string): void {
    if (this.dirty.delete(user)) this.write(user);
  }

  private write(user: string): void {
    const marks = this.marks.get(user);
    if (!marks) return;
    this.sql.exec(
      "UPDATE cursors SET acked = max(acked, ?1), delivered = max(delivered, ?2), read = ?3 WHERE user_id = ?4",
      marks.acked,
      marks.delivered,
      marks.read,
      user,
    );
    this.reads.written(user, marks.read);
  }
}
