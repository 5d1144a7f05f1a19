// Search in the user's own mailbox: SQLite FTS5 over message text (the
// messages_fts table of schema steps 3 and 4), newest first, paged by message id.
//
// The words come from parseSearchQuery (letters and digits only), but they are
// quoted again (matchExpression), so that whatever reaches this module over
// RPC is a plain string to FTS5, never an operator: `"and"* "or"*` is two
// words, not syntax.

import { AppError, fail, ok, type Result } from "../../shared/errors";
import { HISTORY_LIMIT_MAX } from "../../shared/limits";
import type { Message } from "../../shared/protocol";
import { type Mailbox, MESSAGE_COLUMNS, type MessageRow } from "./mailbox";
import { matchExpression, searchSql } from "./search-query";

export interface SearchRequest {
  words: string[];
  /** A message id from an earlier page: only older hits follow. */
  before?: string;
  limit: number;
}

const QUERY = searchSql(MESSAGE_COLUMNS.split(", "));

export function searchMailbox(sql: SqlStorage, mailbox: Mailbox, request: SearchRequest): Result<Message[]> {
  const words = request.words.filter((word) => typeof word === "string" && word.length > 0);
  if (words.length === 0) return ok([]);
  let beforeSeq = Number.MAX_SAFE_INTEGER;
  if (request.before !== undefined) {
    const row = sql.exec<{ seq: number }>("SELECT seq FROM messages WHERE id = ?", request.before).toArray()[0];
    if (!row) return fail(new AppError("invalid_field", "before must be the id of a message in your mailbox"));
    beforeSeq = row.seq;
  }
  const limit = Math.min(Math.max(1, Math.trunc(request.limit) || 1), HISTORY_LIMIT_MAX);
  const rows = sql.exec<MessageRow>(QUERY, matchExpression(words), beforeSeq, limit).toArray();
  return ok(rows.map((row) => mailbox.toMessage(row)));
}
