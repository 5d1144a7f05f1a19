// One archive page on the wire to R2: a contiguous range of positions (a
// group log's `pos`, or a mailbox's `seq`) as gzip-compressed JSON, with
// the SHA-256 of the compressed bytes kept in the object's index so that a
// page that comes back different is caught. Decoding checks everything it
// can (gzip, JSON, the range, one row per position) and throws
// ArchivePageError, never anything else. See docs/archive.md.
//
// Rows are JSON objects, so a writer may add keys (a mailbox's hosted rows
// carry `pos`, `guest_seq`, `hidden`) without a new `v`: a reader that does
// not know a key ignores it, and a page without it reads as NULL. `v` changes
// only for what an older reader would misread; it would then refuse the page
// ("header does not match"), which is also what a rollback would meet.

export interface PageHeader {
  /** The first and last position the page holds, inclusive. */
  first: number;
  last: number;
}

export class ArchivePageError extends Error {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`archive page ${key}: ${reason}`);
  }
}

export interface EncodedPage {
  bytes: Uint8Array;
  sha256: string;
}

/**
 * `rows` must hold one row per position in [first, last], each with its
 * position in `positionColumn`; or, for a sparse log (a mailbox's messages,
 * whose seqs are shared with other tables), rows in increasing positions
 * within [first, last].
 */
export async function encodePage<Row>(header: PageHeader, rows: readonly Row[]): Promise<EncodedPage> {
  const json = JSON.stringify({ v: 1, first: header.first, last: header.last, rows });
  const bytes = await pipe(new TextEncoder().encode(json), new CompressionStream("gzip"));
  return { bytes, sha256: await sha256(bytes) };
}

export async function decodePage<Row extends Record<string, unknown>>(
  key: string,
  bytes: Uint8Array,
  expected: PageHeader & { sha256: string | null; positionColumn: string; sparse?: boolean },
): Promise<Row[]> {
  if (expected.sha256 !== null && (await sha256(bytes)) !== expected.sha256) {
    throw new ArchivePageError(key, "checksum mismatch");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(await pipe(bytes, new DecompressionStream("gzip"))));
  } catch (err) {
    throw new ArchivePageError(key, `not a gzip JSON page (${String(err)})`);
  }
  const page = parsed as { v?: unknown; first?: unknown; last?: unknown; rows?: unknown };
  if (page.v !== 1 || page.first !== expected.first || page.last !== expected.last || !Array.isArray(page.rows)) {
    throw new ArchivePageError(key, "header does not match the index");
  }
  const rows = page.rows as Row[];
  if (expected.sparse) return checkSparse(key, rows, expected);
  if (rows.length !== expected.last - expected.first + 1) throw new ArchivePageError(key, "rows missing");
  rows.forEach((row, i) => {
    if (typeof row !== "object" || row === null || row[expected.positionColumn] !== expected.first + i) {
      throw new ArchivePageError(key, `row ${i} is not position ${expected.first + i}`);
    }
  });
  return rows;
}

function checkSparse<Row extends Record<string, unknown>>(
  key: string,
  rows: Row[],
  expected: PageHeader & { positionColumn: string },
): Row[] {
  let previous = expected.first - 1;
  rows.forEach((row, i) => {
    const pos = typeof row === "object" && row !== null ? row[expected.positionColumn] : undefined;
    if (typeof pos !== "number" || pos <= previous || pos > expected.last) {
      throw new ArchivePageError(key, `row ${i} is out of order or outside the page`);
    }
    previous = pos;
  });
  return rows;
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}
