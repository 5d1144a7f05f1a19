// The group's search index in blocks (group schema step 7): one document per
// WORDS_BLOCK positions of the log, made of the block's messages, written
// when the block's last position is, instead of one per message. A search
// finds the blocks, then looks at their messages one by one (./views.ts), as
// it does for archived pages; the newest, unfinished block is looked at
// without the index. So indexing costs a row per 16 entries, not per message
// (FTS5 counts a row written per document, however many a statement writes).
//
// Crashes: a block's document is written by a trigger of the log row that
// completes it, in the same statement, so a block is indexed exactly when it
// is complete; an edit of a complete block's message rewrites the block's
// document in the edit's statement.

/** Positions per document: block `b` holds positions 16b .. 16b+15 (a shift, so the triggers use `>> 4`). */
export const WORDS_BLOCK = 16;

/** What a log row gives the index: its text and its file's name. */
const INDEXED = "text || coalesce(' ' || json_extract(media, '$.name'), '')";

/** The document of the block whose first position is the SQL expression `first`. */
const blockDocument = (block: string, first: string) =>
  `INSERT INTO log_words (rowid, text)
   SELECT ${block}, t FROM (SELECT group_concat(${INDEXED}, ' ') AS t FROM log
     WHERE pos BETWEEN ${first} AND ${first} + 15 AND system IS NULL AND target IS NULL) WHERE t IS NOT NULL`;

/** Step 7: the per-message index (`log_fts`) becomes one of blocks. */
export function createLogWords(sql: SqlStorage): void {
  sql.exec("DROP TRIGGER log_fts_insert");
  sql.exec("DROP TRIGGER log_fts_update");
  sql.exec("DROP TABLE log_fts");
  // Contentless: a block's text is its messages' (read from the log); deleted by rowid.
  sql.exec(`CREATE VIRTUAL TABLE log_words USING fts5(
    text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2', prefix='1 2'
  )`);
  sql.exec(`CREATE TRIGGER log_words_insert AFTER INSERT ON log WHEN (new.pos & 15) = 15 BEGIN
    ${blockDocument("new.pos >> 4", "(new.pos - 15)")};
  END`);
  // Only a complete block has a document (an entry at or past its last position exists).
  sql.exec(`CREATE TRIGGER log_words_update AFTER UPDATE OF text, media ON log
    WHEN old.system IS NULL AND old.target IS NULL AND (SELECT max(pos) FROM log) >= (old.pos | 15) BEGIN
    DELETE FROM log_words WHERE rowid = old.pos >> 4;
    ${blockDocument("old.pos >> 4", "((old.pos >> 4) << 4)")};
  END`);
  sql.exec(`INSERT INTO log_words (rowid, text)
    SELECT pos >> 4, group_concat(${INDEXED}, ' ') FROM log
    WHERE system IS NULL AND target IS NULL AND pos < (((SELECT max(pos) FROM log) + 1) >> 4) << 4
    GROUP BY pos >> 4`);
}

/** The first position of the newest block without a document (the log's newest entry at `last`). */
export function unindexedFrom(last: number): number {
  return Math.floor((last + 1) / WORDS_BLOCK) * WORDS_BLOCK;
}

/** Archiving positions up to `last`: the documents of blocks now wholly archived go (SQL, ?1 = last). */
export const DELETE_ARCHIVED_WORDS = "DELETE FROM log_words WHERE rowid < (?1 + 1) >> 4";
