// The triggers that keep the search index (messages_fts, ./search.ts) in step
// with every write to `messages`. Since schema step 12 a message's file name
// is indexed with its caption; step 12 made them so, and step 13, which
// rebuilds `messages` (dropping them with it), made them again.
//
// Since step 17 the index is fed in batches (createBatchedSearchTriggers):
// the messages after `fts_upto` (a meta row, a seq) are the index's tail, not
// yet in it, and search reads them one by one (at most SEARCH_TAIL_SEQS of
// seqs). Every FTS5 commit writes a new segment, with its prefix entries and
// structure record, pages of its own: one commit per message made the index
// about a fifth of a one-to-one message's bytes on disk (docs/architecture.md).

/** What the index holds of a row: its text, then its file's name, if any. */
const indexed = (row: string) => `${row}text || coalesce(' ' || json_extract(${row}media, '$.name'), '')`;

/** The meta row holding the newest seq the index covers; every message above it is the tail. */
export const FTS_UPTO_KEY = "fts_upto";

/** The tail is indexed in one statement once it spans this many seqs (messages and other entries). */
export const SEARCH_TAIL_SEQS = 64;

/** The index's position; missing (never, after step 17), it is above every seq: index at once, as before. */
const UPTO = `coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = '${FTS_UPTO_KEY}'), 9007199254740991)`;

/** Indexes the tail (the rows where `due` holds) and moves the position to the newest message. */
const indexTail = (due: string) => [
  `INSERT INTO messages_fts (rowid, text) SELECT seq, ${indexed("")} FROM messages WHERE ${due} AND seq > ${UPTO} ORDER BY seq`,
  `UPDATE meta SET value = CAST((SELECT max(seq) FROM messages) AS TEXT)
     WHERE ${due} AND key = '${FTS_UPTO_KEY}' AND (SELECT max(seq) FROM messages) > CAST(value AS INTEGER)`,
];

export function dropSearchTriggers(sql: SqlStorage): void {
  sql.exec("DROP TRIGGER messages_fts_insert");
  sql.exec("DROP TRIGGER messages_fts_delete");
  sql.exec("DROP TRIGGER messages_fts_update");
}

/** One index entry per insert (schema steps 12 and 13; shipped, kept as they were). */
export function createSearchTriggers(sql: SqlStorage): void {
  sql.exec(`CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
      INSERT INTO messages_fts (rowid, text) VALUES (new.seq, ${indexed("new.")});
    END`);
  sql.exec(`CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.seq, ${indexed("old.")});
    END`);
  sql.exec(`CREATE TRIGGER messages_fts_update AFTER UPDATE OF seq, text, media ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.seq, ${indexed("old.")});
      INSERT INTO messages_fts (rowid, text) VALUES (new.seq, ${indexed("new.")});
    END`);
}

/**
 * The index in batches (schema step 17). An insert at or below the position
 * (none is: seqs only grow) is indexed at once; an insert that makes the tail
 * span SEARCH_TAIL_SEQS indexes the tail, in the same statement and so the
 * same commit. A delete or an update touches the index only for a row in it:
 * FTS5 must never be told to delete what it does not hold.
 */
export function createBatchedSearchTriggers(sql: SqlStorage): void {
  sql.exec(`CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
      INSERT INTO messages_fts (rowid, text) SELECT new.seq, ${indexed("new.")} WHERE new.seq <= ${UPTO};
      ${indexTail(`new.seq - ${UPTO} >= ${SEARCH_TAIL_SEQS}`)
        .map((statement) => `${statement};`)
        .join("\n")}
    END`);
  sql.exec(`CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.seq <= ${UPTO} BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.seq, ${indexed("old.")});
    END`);
  sql.exec(`CREATE TRIGGER messages_fts_update AFTER UPDATE OF seq, text, media ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text) SELECT 'delete', old.seq, ${indexed("old.")} WHERE old.seq <= ${UPTO};
      INSERT INTO messages_fts (rowid, text) SELECT new.seq, ${indexed("new.")} WHERE new.seq <= ${UPTO};
    END`);
}

/** Indexes the tail now (tests check the index whole with it: src/test/search-index.ts). */
export function indexSearchTail(sql: SqlStorage): void {
  for (const statement of indexTail("1")) sql.exec(statement);
}
