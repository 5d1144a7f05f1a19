// When an object moves old pages to R2: past the hot window, or as soon as
// its SQLite passes a size, in pages of a fixed number of entries. The
// environment may change each (wrangler.toml [vars]; tests set tiny values on
// the instance). See docs/archive.md.

export interface ArchiveConfig {
  /** Entries younger than this stay in SQLite (unless the size says otherwise). */
  hotMs: number;
  /** Past this many bytes of SQLite, pages go whatever their age. */
  maxBytes: number;
  /**
   * Even over the size, entries younger than this stay: a retried post (same
   * clientId) finds its first answer in SQLite for at least this long.
   */
  minAgeMs: number;
  /** Entries per page. */
  pageEntries: number;
  /** Between two pages written by one wake's successors: a wake writes one page only. */
  stepGapMs: number;
}

export const ARCHIVE_DEFAULTS: ArchiveConfig = {
  hotMs: 90 * 24 * 3600_000,
  maxBytes: 5 * 1024 ** 3,
  minAgeMs: 24 * 3600_000,
  pageEntries: 500,
  stepGapMs: 1_000,
};

export function archiveConfig(env: Env): ArchiveConfig {
  return {
    hotMs: positive(env.ARCHIVE_HOT_MS) ?? ARCHIVE_DEFAULTS.hotMs,
    maxBytes: positive(env.ARCHIVE_MAX_BYTES) ?? ARCHIVE_DEFAULTS.maxBytes,
    minAgeMs: ARCHIVE_DEFAULTS.minAgeMs,
    pageEntries: positive(env.ARCHIVE_PAGE_ENTRIES) ?? ARCHIVE_DEFAULTS.pageEntries,
    stepGapMs: positive(env.ARCHIVE_STEP_GAP_MS) ?? ARCHIVE_DEFAULTS.stepGapMs,
  };
}

function positive(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}
