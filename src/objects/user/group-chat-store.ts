// The rows of a member's groups (user schema step 8): one `group_chats` row
// per group, with its newest run and the runs that ended since the last page
// (`ended`, JSON, user schema step 15), and older runs in pages of
// `group_run_pages` (one row per RUN_PAGE runs); `group_runs` holds the runs
// that ended before step 15, one row each. Read and written only through
// ./group-chats.ts, which keeps them in memory between batches.

export interface GroupChat {
  chat: string;
  /** The newest log id taken ("" none), and its position (0: not known, a chat moved by schema step 8). */
  upto: string;
  uptoPos: number;
  /** Ids up to here are rows of `messages`, stored before schema step 8. */
  floor: string;
  lastSeq: number;
  /** The chat's newest message as JSON (null: the newest is a row of `messages`). */
  last: string | null;
  unread: number;
  readUpto: string;
  /** The newest run, kept in this row (so that a batch writes one row per group). */
  run: Run | null;
  /**
   * Runs that ended since the last page, oldest first, in this row too: a
   * sender's run is ended by every receipt at a low rate, and a row of their
   * own was two rows written per message (the run and its index).
   */
  ended: Run[];
}

/** Ended runs per page: a page is one row of `group_run_pages` (and its index). */
export const RUN_PAGE = 32;

/** Runs as stored in JSON: [seq, pos, count] each. */
type PackedRun = [number, number, number];

export function packRuns(runs: readonly Run[]): string {
  return JSON.stringify(runs.map((r): PackedRun => [r.seq, r.pos, r.count]));
}

export function unpackRuns(chat: string, json: string | null): Run[] {
  if (json === null) return [];
  return (JSON.parse(json) as PackedRun[]).map(([seq, pos, count]) => ({ seq, chat, pos, count }));
}

export type Run = {
  seq: number;
  chat: string;
  pos: number;
  count: number;
};

export type ChatRow = {
  chat: string;
  upto: string;
  upto_pos: number;
  floor: string;
  last_seq: number;
  last: string | null;
  unread: number;
  read_upto: string;
  run_seq: number | null;
  run_pos: number | null;
  run_count: number | null;
  ended: string | null;
};

export function fromRow(row: ChatRow): GroupChat {
  return {
    chat: row.chat,
    upto: row.upto,
    uptoPos: row.upto_pos,
    floor: row.floor,
    lastSeq: row.last_seq,
    last: row.last,
    unread: row.unread,
    readUpto: row.read_upto,
    run:
      row.run_seq === null || row.run_pos === null || row.run_count === null
        ? null
        : { seq: row.run_seq, chat: row.chat, pos: row.run_pos, count: row.run_count },
    ended: unpackRuns(row.chat, row.ended),
  };
}

/** One row per group touched by a batch: everything of the group in one statement. */
export function writeChat(sql: SqlStorage, row: GroupChat): void {
  sql.exec(
    `INSERT INTO group_chats (chat, upto, upto_pos, floor, last_seq, last, unread, read_upto, run_seq, run_pos, run_count, ended)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(chat) DO UPDATE SET upto = excluded.upto, upto_pos = excluded.upto_pos, last_seq = excluded.last_seq,
       last = excluded.last, unread = excluded.unread, read_upto = excluded.read_upto,
       run_seq = excluded.run_seq, run_pos = excluded.run_pos, run_count = excluded.run_count, ended = excluded.ended`,
    row.chat,
    row.upto,
    row.uptoPos,
    row.floor,
    row.lastSeq,
    row.last,
    row.unread,
    row.readUpto,
    row.run?.seq ?? null,
    row.run?.pos ?? null,
    row.run?.count ?? null,
    row.ended.length > 0 ? packRuns(row.ended) : null,
  );
}

/**
 * A page of ended runs of one group (oldest first), leaving its row: keyed by
 * the last seq it covers (what sync's "runs after a seq" looks up), indexed
 * by its group and first position (what a seq lookup by position uses).
 */
export function writePage(sql: SqlStorage, runs: readonly Run[]): void {
  const first = runs[0];
  const last = runs.at(-1);
  if (!first || !last) return;
  sql.exec(
    `INSERT INTO group_run_pages (last, chat, pos, runs) VALUES (?, ?, ?, ?)
     ON CONFLICT(last) DO UPDATE SET chat = excluded.chat, pos = excluded.pos, runs = excluded.runs`,
    last.seq + last.count - 1,
    first.chat,
    first.pos,
    packRuns(runs),
  );
}

/** Step 15's table: pages of a group's ended runs. */
export const RUN_PAGES_TABLE =
  "CREATE TABLE group_run_pages (last INTEGER PRIMARY KEY, chat TEXT NOT NULL, pos INTEGER NOT NULL, runs TEXT NOT NULL)";
export const RUN_PAGES_INDEX = "CREATE INDEX group_run_pages_by_chat ON group_run_pages(chat, pos)";

/** The seq of the entry at `pos` of a group from the stored runs (pages, and rows before step 15), or null. */
export function storedSeqOf(sql: SqlStorage, chat: string, pos: number): number | null {
  // The page starting at or before `pos` (a group's pages and runs do not overlap in positions).
  const page = sql
    .exec<{ runs: string }>(
      "SELECT runs FROM group_run_pages WHERE chat = ? AND pos <= ? ORDER BY pos DESC LIMIT 1",
      chat,
      pos,
    )
    .toArray()[0];
  for (const run of page ? unpackRuns(chat, page.runs) : []) {
    if (pos >= run.pos && pos < run.pos + run.count) return run.seq + (pos - run.pos);
  }
  // Runs that ended before schema step 15, a row each.
  const run = sql
    .exec<Run>(
      "SELECT seq, chat, pos, count FROM group_runs WHERE chat = ? AND pos <= ? ORDER BY pos DESC LIMIT 1",
      chat,
      pos,
    )
    .toArray()[0];
  return run && pos < run.pos + run.count ? run.seq + (pos - run.pos) : null;
}

/** Stored runs (pages, and rows before step 15) with seqs after `after`. */
export function storedRunsAfter(sql: SqlStorage, after: number): Run[] {
  // By the primary key: the runs that start after `after`, and the one that may straddle it.
  const runs = sql
    .exec<Run>(
      `SELECT seq, chat, pos, count FROM group_runs WHERE seq > ?1
       UNION ALL
       SELECT seq, chat, pos, count FROM group_runs
       WHERE seq = (SELECT max(seq) FROM group_runs WHERE seq <= ?1) AND seq + count - 1 > ?1`,
      after,
    )
    .toArray();
  // Pages by their last seq: those with any seq after `after`.
  for (const page of sql
    .exec<{ chat: string; runs: string }>("SELECT chat, runs FROM group_run_pages WHERE last > ?", after)
    .toArray()) {
    for (const run of unpackRuns(page.chat, page.runs)) if (run.seq + run.count - 1 > after) runs.push(run);
  }
  return runs;
}

/** Entries the stored runs give seqs to. */
export function storedCount(sql: SqlStorage): number {
  return (
    sql
      .exec<{ n: number | null }>(
        `SELECT (SELECT coalesce(sum(count), 0) FROM group_runs)
           + (SELECT coalesce(sum(j.value ->> 2), 0) FROM group_run_pages p, json_each(p.runs) j) AS n`,
      )
      .one().n ?? 0
  );
}
