// The object's own record of its archived pages: one small row per page
// (its range of positions and ids, its R2 key, checksum and size). A row in
// state `writing` is a page whose PUT may or may not have reached R2 and whose
// rows are still in SQLite: the next wake finishes it (or discards it). A row
// in state `done` means the page is in R2 and its rows left SQLite in the same
// transaction that wrote `done`. See docs/archive.md.

export const ARCHIVE_PAGES_TABLE = `CREATE TABLE archive_pages (
  first INTEGER PRIMARY KEY,
  last INTEGER NOT NULL,
  first_id TEXT NOT NULL,
  last_id TEXT NOT NULL,
  key TEXT NOT NULL,
  state TEXT NOT NULL,
  sha256 TEXT,
  bytes INTEGER,
  written_at INTEGER NOT NULL
)`;

export interface ArchivePage {
  first: number;
  last: number;
  firstId: string;
  lastId: string;
  key: string;
  state: "writing" | "done";
  sha256: string | null;
  bytes: number | null;
}

interface PageRow {
  first: number;
  last: number;
  first_id: string;
  last_id: string;
  key: string;
  state: string;
  sha256: string | null;
  bytes: number | null;
  [key: string]: SqlStorageValue;
}

const COLUMNS = "first, last, first_id, last_id, key, state, sha256, bytes";

export class ArchiveIndex {
  /** The highest id archived or being archived ("" for none): changes at or below it are refused. */
  private coveredId: string;
  /** The highest id whose row has left SQLite ("" for none). */
  private goneId: string;

  constructor(private readonly sql: SqlStorage) {
    const row = sql
      .exec<{ covered: string | null; gone: string | null }>(
        "SELECT max(last_id) AS covered, max(CASE WHEN state = 'done' THEN last_id END) AS gone FROM archive_pages",
      )
      .one();
    this.coveredId = row.covered ?? "";
    this.goneId = row.gone ?? "";
  }

  /** Whether the entry with this id is archived or being archived (its row no longer changes). */
  covers(id: string): boolean {
    return id <= this.coveredId;
  }

  /** Whether the entry with this id may be in R2 rather than in SQLite. */
  archived(id: string): boolean {
    return id <= this.goneId;
  }

  /** Pages done and their compressed bytes. */
  totals(): { pages: number; bytes: number } {
    const row = this.sql
      .exec<{ n: number; bytes: number | null }>(
        "SELECT count(*) AS n, sum(bytes) AS bytes FROM archive_pages WHERE state = 'done'",
      )
      .one();
    return { pages: row.n, bytes: row.bytes ?? 0 };
  }

  pending(): ArchivePage | null {
    return this.one(`SELECT ${COLUMNS} FROM archive_pages WHERE state = 'writing' ORDER BY first LIMIT 1`);
  }

  /** The done page holding this id (null: none). */
  pageForId(id: string): ArchivePage | null {
    return this.one(
      `SELECT ${COLUMNS} FROM archive_pages WHERE state = 'done' AND first_id <= ?1 AND last_id >= ?1`,
      id,
    );
  }

  /** Done pages with positions in [from, to], oldest first, at most `limit`. */
  pagesIn(from: number, to: number, limit: number): ArchivePage[] {
    return this.all(
      `SELECT ${COLUMNS} FROM archive_pages WHERE state = 'done' AND last >= ?1 AND first <= ?2 ORDER BY first LIMIT ?3`,
      from,
      to,
      limit,
    );
  }

  /** Done pages holding ids after `after` (or at it, inclusively), oldest first, at most `limit`. */
  pagesAfter(after: string, limit: number, inclusive = false): ArchivePage[] {
    return this.all(
      `SELECT ${COLUMNS} FROM archive_pages WHERE state = 'done' AND last_id ${inclusive ? ">=" : ">"} ?1 ORDER BY first LIMIT ?2`,
      after,
      limit,
    );
  }

  /** Done pages holding ids before `before`, newest first, at most `limit`. */
  pagesBefore(before: string, limit: number): ArchivePage[] {
    return this.all(
      `SELECT ${COLUMNS} FROM archive_pages WHERE state = 'done' AND first_id < ?1 ORDER BY first DESC LIMIT ?2`,
      before,
      limit,
    );
  }

  /** The page ending just before position `pos` (null: none). */
  pageEndingAt(pos: number): ArchivePage | null {
    return this.one(`SELECT ${COLUMNS} FROM archive_pages WHERE last = ?`, pos);
  }

  /** Step 1, in one transaction with nothing else: the page's range is fixed before anything reaches R2. */
  begin(page: Omit<ArchivePage, "state" | "sha256" | "bytes">, now: number): void {
    this.sql.exec(
      "INSERT INTO archive_pages (first, last, first_id, last_id, key, state, written_at) VALUES (?, ?, ?, ?, ?, 'writing', ?)",
      page.first,
      page.last,
      page.firstId,
      page.lastId,
      page.key,
      now,
    );
    if (page.lastId > this.coveredId) this.coveredId = page.lastId;
  }

  /** Step 3, in the transaction that deletes the page's rows: the page is in R2 as written. */
  finish(page: ArchivePage, sha256: string, bytes: number, now: number): void {
    this.sql.exec(
      "UPDATE archive_pages SET state = 'done', sha256 = ?, bytes = ?, written_at = ? WHERE first = ?",
      sha256,
      bytes,
      now,
      page.first,
    );
    if (page.lastId > this.goneId) this.goneId = page.lastId;
  }

  /** A writing page that cannot be finished (its rows are not all there): forgotten. */
  discard(page: ArchivePage): void {
    this.sql.exec("DELETE FROM archive_pages WHERE first = ? AND state = 'writing'", page.first);
    const row = this.sql.exec<{ covered: string | null }>("SELECT max(last_id) AS covered FROM archive_pages").one();
    this.coveredId = row.covered ?? "";
  }

  private one(query: string, ...params: SqlStorageValue[]): ArchivePage | null {
    return this.all(query, ...params)[0] ?? null;
  }

  private all(query: string, ...params: SqlStorageValue[]): ArchivePage[] {
    return this.sql
      .exec<PageRow>(query, ...params)
      .toArray()
      .map((row) => ({
        first: row.first,
        last: row.last,
        firstId: row.first_id,
        lastId: row.last_id,
        key: row.key,
        state: row.state === "done" ? "done" : "writing",
        sha256: row.sha256,
        bytes: row.bytes,
      }));
  }
}
