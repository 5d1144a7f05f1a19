// Archived pages read back from R2, decoded and kept in memory (a few, the
// most recently used). Reads inside an object are synchronous SQL while R2 is
// not, so a synchronous read that needs a page not in memory throws
// ArchiveMiss naming the pages; the object's caller rolls the transaction
// back, awaits `load` and runs the read again (see group/transact.ts). A page
// that cannot be read (missing, corrupt) is logged and remembered for a while:
// reads that need it answer `archive_unreadable` naming it, and the object
// goes on serving everything else. See docs/archive.md.

import { AppError } from "../../shared/errors";
import { ArchivePageError, decodePage } from "./archive-codec";
import type { ArchivePage } from "./archive-index";

export class ArchiveMiss extends Error {
  constructor(readonly pages: readonly ArchivePage[]) {
    super(`archive pages not in memory: ${pages.map((p) => p.key).join(", ")}`);
  }
}

/** Pages kept decoded in memory: enough for one read's pages (READ_PAGES_MAX) and then some. */
const CACHED_PAGES = 24;
/** A page found unreadable is tried again after this long (an operator may have restored it). */
const BROKEN_FOR_MS = 60_000;

export class ArchiveShelf<Row extends Record<string, unknown>> {
  private readonly cache = new Map<string, Row[]>();
  private readonly broken = new Map<string, { reason: string; until: number }>();

  constructor(
    private readonly bucket: R2Bucket,
    private readonly positionColumn: string,
    /** Where the log lines say this came from (the object's id). */
    private readonly owner: string,
    /** Pages of a sparse log (positions shared with other tables: a mailbox's seqs). */
    private readonly sparse = false,
  ) {}

  /**
   * The rows of these pages, in page order. Throws ArchiveMiss for the pages
   * not in memory (all of them at once), and `archive_unreadable` for a page
   * known to be unreadable.
   */
  rows(pages: readonly ArchivePage[], now = Date.now()): Row[][] {
    for (const page of pages) this.check(page, now);
    const missing = pages.filter((page) => !this.cache.has(page.key));
    if (missing.length > 0) throw new ArchiveMiss(missing);
    return pages.map((page) => this.touch(page.key));
  }

  /** Whether the page cannot be read at the moment (for lookups that go on without it, such as quotes). */
  unreadable(page: ArchivePage, now = Date.now()): boolean {
    const broken = this.broken.get(page.key);
    return broken !== undefined && broken.until > now;
  }

  /** Reads these pages from R2, all at once. Never throws: a failure marks the page unreadable. */
  async load(pages: readonly ArchivePage[]): Promise<void> {
    await Promise.all(pages.map((page) => this.loadOne(page)));
  }

  get cached(): number {
    return this.cache.size;
  }

  private async loadOne(page: ArchivePage): Promise<void> {
    if (this.cache.has(page.key)) return;
    try {
      const object = await this.bucket.get(page.key);
      if (object === null) throw new ArchivePageError(page.key, "missing from R2");
      const bytes = new Uint8Array(await object.arrayBuffer());
      const rows = await decodePage<Row>(page.key, bytes, {
        first: page.first,
        last: page.last,
        sha256: page.sha256,
        positionColumn: this.positionColumn,
        sparse: this.sparse,
      });
      this.broken.delete(page.key);
      this.cache.set(page.key, rows);
      while (this.cache.size > CACHED_PAGES) this.cache.delete(this.cache.keys().next().value as string);
    } catch (err) {
      const reason = err instanceof ArchivePageError ? err.reason : `R2 read failed (${String(err)})`;
      this.broken.set(page.key, { reason, until: Date.now() + BROKEN_FOR_MS });
      console.error(JSON.stringify({ event: "archive_page_unreadable", owner: this.owner, page: page.key, reason }));
    }
  }

  private check(page: ArchivePage, now: number): void {
    const broken = this.broken.get(page.key);
    if (broken === undefined) return;
    if (broken.until <= now) {
      this.broken.delete(page.key);
      return;
    }
    throw new AppError(
      "archive_unreadable",
      `archived messages ${page.first}-${page.last} (${page.key}) cannot be read: ${broken.reason}`,
    );
  }

  /** Most recently used last, so the oldest goes first. */
  private touch(key: string): Row[] {
    const rows = this.cache.get(key) as Row[];
    this.cache.delete(key);
    this.cache.set(key, rows);
    return rows;
  }
}
