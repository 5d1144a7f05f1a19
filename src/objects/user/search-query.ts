// The FTS5 side of search, free of Durable Object types so that the search
// benchmark runs the very same query against a copy of a mailbox.

import { shown } from "./hidden";

/** `"word"*` for every word, ANDed: each word must start a word of the text. */
export function matchExpression(words: readonly string[]): string {
  return words.map((word) => `"${word.replaceAll('"', '""')}"*`).join(" ");
}

/**
 * Parameters: the match expression, the seq to stay below, the limit.
 * FTS5 walks its index in rowid (= seq) order, newest first, and stops at the
 * limit: a common word costs no more than a rare one to page through.
 */
export function searchSql(columns: readonly string[]): string {
  return `SELECT ${columns.map((column) => `m.${column}`).join(", ")}
    FROM messages_fts f JOIN messages m ON m.seq = f.rowid
    WHERE messages_fts MATCH ? AND f.rowid < ? AND m.system IS NULL
    ORDER BY f.rowid DESC LIMIT ?`;
}

/**
 * The same, paged by message id instead of seq (parameters: the match
 * expression, the id to stay below, the limit), so that hits from this
 * mailbox and from the groups' logs page together. Rows the owner deleted for
 * itself in a hosted chat stay in the index (the guest searches them through
 * the host) and are left out here (./hidden.ts).
 */
export function searchSqlBeforeId(columns: readonly string[]): string {
  return `SELECT ${columns.map((column) => `m.${column}`).join(", ")}
    FROM messages_fts f JOIN messages m ON m.seq = f.rowid
    WHERE messages_fts MATCH ? AND m.id < ? AND m.system IS NULL AND ${shown("m.id")}
    ORDER BY f.rowid DESC LIMIT ?`;
}
