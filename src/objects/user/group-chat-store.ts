// The rows of a member's groups (user schema step 8): one `group_chats` row
// per group, with its newest run, and older runs in `group_runs`. Read and
// written only through ./group-chats.ts, which keeps them in memory between
// batches.

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
  /** The newest run, kept in this row (so that a batch writes one row per group); older ones are rows of group_runs. */
  run: Run | null;
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
  };
}

/** One row per group touched by a batch: everything of the group in one statement. */
export function writeChat(sql: SqlStorage, row: GroupChat): void {
  sql.exec(
    `INSERT INTO group_chats (chat, upto, upto_pos, floor, last_seq, last, unread, read_upto, run_seq, run_pos, run_count)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(chat) DO UPDATE SET upto = excluded.upto, upto_pos = excluded.upto_pos, last_seq = excluded.last_seq,
       last = excluded.last, unread = excluded.unread, read_upto = excluded.read_upto,
       run_seq = excluded.run_seq, run_pos = excluded.run_pos, run_count = excluded.run_count`,
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
  );
}

/** A run that ended (another seq came between): it leaves the group's row for group_runs. */
export function writeRun(sql: SqlStorage, run: Run): void {
  sql.exec(
    "INSERT INTO group_runs (seq, chat, pos, count) VALUES (?, ?, ?, ?) ON CONFLICT(seq) DO UPDATE SET count = excluded.count",
    run.seq,
    run.chat,
    run.pos,
    run.count,
  );
}
