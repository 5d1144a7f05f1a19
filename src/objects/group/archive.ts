// Moving the oldest pages of a group's log to R2 (docs/archive.md). One page
// per step, from the object's alarm, so a wake never does much:
//   1. fix the page's range: an `archive_pages` row in state `writing` (its own transaction);
//   2. PUT the compressed page to R2 under a key made of that range (the same key if repeated);
//   3. in one transaction: delete the page's rows (and their search entries) from SQLite, mark it `done`.
// A crash after 1 or 2 leaves a `writing` row whose rows are all still in
// SQLite: the next step writes the same page again under the same key and
// finishes it. Nothing is lost (the rows leave only after R2 has them) and
// nothing is doubled (one key per range, one row per page).
//
// A page is taken only when full, when every member's object has taken all
// of it (the fan-out never reads what is archived), never the newest entry,
// and when its last entry is past the hot window, or past a minimum age once
// SQLite is over its size.

import { encodePage } from "../storage/archive-codec";
import type { ArchiveConfig } from "../storage/archive-config";
import type { ArchivePage } from "../storage/archive-index";
import { ArchiveWriter, type StepResult } from "../storage/archive-writer";
import { LOG_COLUMNS, type LogRow } from "./log";
import { DELETE_ARCHIVED_WORDS } from "./log-words";

/** What the search index holds of a row (group schema step 5): its text, and a file's name. Deleting must say the same. */

export type { PutPage } from "../storage/archive-writer";

/** A page becomes due now, or at a time, or not before more is posted (null). */
type Next = { page: Omit<ArchivePage, "state" | "sha256" | "bytes"> } | { at: number } | null;

/** While the fan-out is behind, look again this much later. */
const BEHIND_RETRY_MS = 60_000;

export class GroupArchive extends ArchiveWriter<LogRow> {
  /** The lowest position still in SQLite. */
  private hotFrom: number;

  constructor(
    storage: DurableObjectStorage,
    bucket: R2Bucket,
    groupId: string,
    config: ArchiveConfig,
    /** The lowest recipient's cursor (FanOut.floor): what every member's object has taken. */
    private readonly delivered: () => string | null,
  ) {
    super(storage, bucket, { kind: "g", id: groupId }, config, { positionColumn: "pos" });
    this.hotFrom = storage.sql.exec<{ pos: number | null }>("SELECT min(pos) AS pos FROM log").one().pos ?? 1;
  }

  /** The first position still in SQLite (every position below it is in a done page). */
  get hotStart(): number {
    return this.hotFrom;
  }

  /** Whether enough is in SQLite for a page beside the newest entry: cheap, for every post. */
  full(lastPos: number): boolean {
    return lastPos - this.hotFrom + 1 > this.config.pageEntries;
  }

  /** When the next step is worth running (null: not before more is posted). */
  nextAt(lastPos: number, now = Date.now()): number | null {
    if (this.index.pending()) return now;
    const next = this.next(lastPos, now);
    if (next === null) return null;
    return "page" in next ? now : next.at;
  }

  /**
   * One page: finishes a page left half-written, or starts and finishes the
   * next one due. Answers what it did (null: nothing was due).
   */
  step(lastPos: number, now = Date.now()): Promise<StepResult> {
    return this.serially(() => this.run(lastPos, now));
  }

  private async run(lastPos: number, now: number): Promise<StepResult> {
    let page = this.index.pending();
    if (!page) {
      const next = this.next(lastPos, now);
      if (next === null || !("page" in next)) return null;
      const fixed = next.page;
      this.storage.transactionSync(() => this.index.begin(fixed, now));
      page = { ...fixed, state: "writing", sha256: null, bytes: null };
    }
    return this.write(page, now);
  }

  private async write(page: ArchivePage, now: number): Promise<"written" | "discarded"> {
    const sql = this.storage.sql;
    const rows = sql
      .exec<LogRow>(`SELECT ${LOG_COLUMNS} FROM log WHERE pos BETWEEN ? AND ? ORDER BY pos`, page.first, page.last)
      .toArray();
    if (rows.length !== page.last - page.first + 1 || rows[0]?.id !== page.firstId || rows.at(-1)?.id !== page.lastId) {
      // Not what step 1 fixed: cannot be finished. Nothing of it is referenced, so it goes.
      return this.discard(page);
    }
    const encoded = await encodePage(page, rows);
    await this.put(page.key, encoded.bytes, encoded.sha256);
    // Rows written (the bill): the page's log rows with their index entries and search entries, and the index row.
    const rowsWritten = this.storage.transactionSync(() => {
      // A block straddling the page's end keeps its document until its last position leaves too.
      const fts = sql.exec(DELETE_ARCHIVED_WORDS, page.last);
      fts.toArray();
      const deleted = sql.exec("DELETE FROM log WHERE pos BETWEEN ? AND ?", page.first, page.last);
      deleted.toArray();
      this.index.finish(page, encoded.sha256, encoded.bytes.length, now);
      return fts.rowsWritten + deleted.rowsWritten + 2; // + the index row, written twice (begin, finish)
    });
    this.hotFrom = page.last + 1;
    console.log(
      JSON.stringify(
        this.logLine("archive_page_written", { page: page.key, bytes: encoded.bytes.length, rowsWritten }),
      ),
    );
    return "written";
  }

  private next(lastPos: number, now: number): Next {
    const { pageEntries } = this.config;
    const first = this.hotFrom;
    const last = first + pageEntries - 1;
    if (last >= lastPos) return null; // not a full page beside the newest entry
    const sql = this.storage.sql;
    const edge = sql.exec<{ id: string; ts: number }>("SELECT id, ts FROM log WHERE pos = ?", last).toArray()[0];
    const start = sql.exec<{ id: string }>("SELECT id FROM log WHERE pos = ?", first).toArray()[0];
    if (!edge || !start) return null;
    // Every recipient's cursor (a former member's still owed span included) must be past the page.
    const floor = this.delivered();
    if (floor !== null && floor < edge.id) return { at: now + BEHIND_RETRY_MS };
    const due = this.dueAt(edge.ts);
    if (due > now) return { at: due };
    return { page: { first, last, firstId: start.id, lastId: edge.id, key: this.key(first, last) } };
  }
}
