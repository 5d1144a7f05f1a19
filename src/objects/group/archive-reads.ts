// Reading a group's log through its archive: the entries that left SQLite for
// R2 (./archive.ts), for the reads of ./views.ts that reach past the first
// position still in SQLite. Synchronous like the rest of the views: a page not
// in memory throws ArchiveMiss, and the object loads it and reads again
// (GroupObject.through). The members' reading windows are the same as
// views.ts's READABLE, applied here in code. Search scans archived pages
// (a bounded number per request) with the words of its FTS5 expression.
// See docs/archive.md.

import type { ArchivePage } from "../storage/archive-index";
import { ArchiveMiss } from "../storage/archive-shelf";
import type { GroupArchive } from "./archive";
import { type LogEntry, type LogRow, toLogEntry } from "./log";

// The archived-page search matcher is shared with the mailbox (storage/archive-match.ts).
export { textMatcher } from "../storage/archive-match";

/** Archived pages one read may look through: bounds the work (and memory) of one request. */
export const READ_PAGES_MAX = 8;
/** Pages loaded ahead of a walk when one misses. */
const PREFETCH_PAGES = 2;
/** Archived pages one search request scans, newest first; the client pages further with `before`. */
export const SEARCH_PAGES_MAX = 4;

/** Whether `user` may read an id; `earliest` is where its first window starts ("~": none). */
export type Readable = ((id: string) => boolean) & { earliest: string };

export class ArchivedLog {
  constructor(
    private readonly archive: GroupArchive,
    private readonly sql: SqlStorage,
  ) {}

  /** The first position still in SQLite. */
  get hotStart(): number {
    return this.archive.hotStart;
  }

  /** Whether entries with this id or lower may be in R2. */
  reaches(id: string): boolean {
    return this.archive.index.archived(id);
  }

  /**
   * One archived entry (null: none). Leniently (quotes, change targets), a
   * page that cannot be read answers null and they go on without it (the
   * failure is logged); strictly, `archive_unreadable`.
   */
  get(id: string, strict = false): LogEntry | null {
    if (!this.archive.index.archived(id)) return null;
    const page = this.archive.index.pageForId(id);
    if (!page || (!strict && this.archive.shelf.unreadable(page))) return null;
    const [rows] = this.archive.shelf.rows([page]);
    const row = rows?.find((r) => r.id === id);
    return row ? toLogEntry(row) : null;
  }

  /** The id of the entry at this archived position ("" for none). */
  idAt(pos: number): string {
    return this.archive.index.pageEndingAt(pos)?.lastId ?? "";
  }

  /**
   * Archived rows with positions from `from` on, oldest first, a page at a
   * time, until `visit` says stop or READ_PAGES_MAX pages were read. Answers
   * the position after the last row visited.
   */
  walkFrom(from: number, visit: (row: LogRow) => boolean): number {
    const pages = this.archive.index.pagesIn(from, this.hotStart - 1, READ_PAGES_MAX);
    let next = from;
    for (const [i, page] of pages.entries()) {
      for (const row of this.rowsOf(page, pages.slice(i + 1))) {
        if (row.pos < from) continue;
        next = row.pos + 1;
        if (visit(row)) return next;
      }
    }
    return next;
  }

  /** Archived rows before id `before`, newest first, a page at a time, until `visit` says stop or `pages` were read. */
  walkBack(before: string, pages: number, visit: (row: LogRow) => boolean, stopBelow = ""): void {
    const found = this.archive.index.pagesBefore(before, pages);
    for (const [i, page] of found.entries()) {
      if (page.lastId < stopBelow) return;
      const rows = this.rowsOf(page, found.slice(i + 1));
      for (let i = rows.length - 1; i >= 0; i--) {
        const row = rows[i] as LogRow;
        if (row.id >= before) continue;
        if (visit(row)) return;
      }
    }
  }

  /**
   * The first position whose entry has an id above `after` and at or above
   * `atLeast` (the hot start if none is archived): a member's first window
   * start, so that a member who joined late never walks pages before it.
   */
  positionAfter(after: string, atLeast = ""): number {
    if (atLeast === "~") return this.hotStart;
    const take = (id: string) => id > after && id >= atLeast;
    const page = this.archive.index.pagesAfter(after > atLeast ? after : atLeast, 1, after < atLeast)[0];
    if (!page) return this.hotStart;
    const row = this.rowsOf(page).find((r) => take(r.id));
    return row?.pos ?? page.last + 1;
  }

  /** The reading windows of `user` (./views.ts's READABLE), as a test of an id. */
  readableBy(user: string): Readable {
    const since = this.sql
      .exec<{ since: string }>("SELECT since FROM members WHERE user_id = ?", user)
      .toArray()[0]?.since;
    const spans = this.sql
      .exec<{ from_id: string; to_id: string }>("SELECT from_id, to_id FROM past_members WHERE user_id = ?", user)
      .toArray();
    const test = (id: string) =>
      (since !== undefined && id >= since) || spans.some((s) => id >= s.from_id && id <= s.to_id);
    const starts = [...(since !== undefined ? [since] : []), ...spans.map((s) => s.from_id)];
    return Object.assign(test, { earliest: starts.sort()[0] ?? "~" });
  }

  /**
   * One page's rows. On a miss, the next pages of the walk come along
   * (PREFETCH_PAGES): one more round trip per few pages, not per page.
   */
  private rowsOf(page: ArchivePage, following: readonly ArchivePage[] = []): LogRow[] {
    try {
      return this.archive.shelf.rows([page])[0] ?? [];
    } catch (err) {
      if (!(err instanceof ArchiveMiss)) throw err;
      const ahead = following.slice(0, PREFETCH_PAGES).filter((p) => !this.archive.shelf.unreadable(p));
      throw new ArchiveMiss([...err.pages, ...ahead]);
    }
  }
}
