// The search index's tail (./search-triggers.ts): the newest messages, not yet
// in FTS5, read one by one and matched the way the index's tokenizer would
// (../storage/archive-match.ts, as archived pages are). At most
// SEARCH_TAIL_SEQS seqs of rows, newest first, so they come before any hit of
// the index, whose messages are all older.

import { textMatcher } from "../storage/archive-match";
import { shown } from "./hidden";
import { MESSAGE_COLUMNS, type MessageRow } from "./mailbox-reads";
import { FTS_UPTO_KEY } from "./search-triggers";

/** Hits among the messages after the index's position, newest first, ids below `before` (`columns`: more to read). */
export function tailHits<Row extends MessageRow = MessageRow>(
  sql: SqlStorage,
  match: string,
  before: string,
  limit: number,
  columns = MESSAGE_COLUMNS,
  /** The owner's own search: rows it deleted for itself in a hosted chat are left out (./hidden.ts). */
  ownView = false,
): Row[] {
  const matches = textMatcher(match);
  const upto = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", FTS_UPTO_KEY).toArray()[0]?.value;
  if (upto === undefined) return []; // before step 17 every message is in the index
  const rows = sql
    .exec<Row>(
      `SELECT ${columns} FROM messages WHERE seq > ? AND id < ? AND system IS NULL ${ownView ? `AND ${shown("messages.id")}` : ""}
       ORDER BY seq DESC`,
      Number(upto),
      before,
    )
    .toArray();
  return rows.filter((row) => matches(indexedText(row))).slice(0, limit);
}

/** What the index would hold of the row: its text, then its file's name, if any. */
function indexedText(row: MessageRow): string {
  const name = row.media ? (JSON.parse(row.media) as { name?: unknown }).name : undefined;
  return typeof name === "string" ? `${row.text} ${name}` : row.text;
}
