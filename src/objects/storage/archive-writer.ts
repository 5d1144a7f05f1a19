// What the two archives that write pages to R2 share (docs/archive.md): the
// group log's (group/archive.ts) and the mailbox's (user/mailbox-archive.ts).
// Each keeps its own choice of page and its own step; here are the bucket and
// its keys, the PUT, the page index and shelf, one step at a time, the due
// time of a page, and a page given up.

import type { ArchiveConfig } from "./archive-config";
import { ArchiveIndex, type ArchivePage } from "./archive-index";
import { ArchiveShelf } from "./archive-shelf";

export type PutPage = (key: string, bytes: Uint8Array, sha256: string) => Promise<void>;
export type StepResult = "written" | "discarded" | null;

/** Whose archive: a group ("g", its log) or a user ("u", their mailbox), by id. */
export interface ArchiveOwner {
  kind: "g" | "u";
  id: string;
}

export abstract class ArchiveWriter<Row extends Record<string, unknown>> {
  readonly index: ArchiveIndex;
  readonly shelf: ArchiveShelf<Row>;
  /** Public so that tests can wrap it to inject faults (src/test/archive.ts, src/test/mailbox-archive.ts). */
  put: PutPage;
  private inflight: Promise<unknown> | null = null;

  constructor(
    protected readonly storage: DurableObjectStorage,
    protected readonly bucket: R2Bucket,
    private readonly owner: ArchiveOwner,
    /** Public: tests make it tiny. */
    public config: ArchiveConfig,
    /** The shelf's: the column of a row's position, and whether positions have gaps. */
    shelf: { positionColumn: string; sparse?: boolean },
  ) {
    this.index = new ArchiveIndex(storage.sql);
    this.shelf = new ArchiveShelf<Row>(bucket, shelf.positionColumn, `${owner.kind}:${owner.id}`, shelf.sparse);
    this.put = async (key, bytes, sha256) => {
      await bucket.put(key, bytes, {
        sha256,
        httpMetadata: { contentType: "application/json", contentEncoding: "gzip" },
      });
    };
  }

  key(first: number, last: number): string {
    const pad = (n: number) => String(n).padStart(12, "0");
    return `archive/${this.owner.kind}/${this.owner.id}/${pad(first)}-${pad(last)}.json.gz`;
  }

  /** Runs one step at a time (the alarm's, an operator's, a test's): a second waits for the first, then runs. */
  protected async serially<T>(step: () => Promise<T>): Promise<T> {
    while (this.inflight) await this.inflight.catch(() => undefined);
    const run = step();
    this.inflight = run;
    try {
      return await run;
    } finally {
      if (this.inflight === run) this.inflight = null;
    }
  }

  /** When a page whose newest entry is from `ts` is due: past the hot window, or past the minimum age over the size. */
  protected dueAt(ts: number): number {
    const { hotMs, maxBytes, minAgeMs } = this.config;
    const dueByAge = ts + hotMs;
    const dueBySize = this.storage.sql.databaseSize > maxBytes ? ts + minAgeMs : Number.POSITIVE_INFINITY;
    return Math.min(dueByAge, dueBySize);
  }

  /**
   * Gives a page up that cannot be finished (nothing references it): its
   * index row goes, then whatever of it reached R2. `then` runs between the two.
   */
  protected async discard(page: ArchivePage, then?: () => void): Promise<"discarded"> {
    console.error(JSON.stringify(this.logLine("archive_page_discarded", { page: page.key })));
    this.storage.transactionSync(() => this.index.discard(page));
    then?.();
    await this.bucket.delete(page.key).catch(() => undefined);
    return "discarded";
  }

  /** A log line naming the owner as `group` or `user`, as the archive's lines always have. */
  protected logLine(event: string, fields: Record<string, unknown>): Record<string, unknown> {
    return { event, [this.owner.kind === "g" ? "group" : "user"]: this.owner.id, ...fields };
  }
}
