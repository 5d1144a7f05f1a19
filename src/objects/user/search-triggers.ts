// The triggers that keep the search index (messages_fts, ./search.ts) in step
// with every write to `messages`. Since schema step 12 a message's file name
// is indexed with its caption; step 12 made them so, and step 13, which
// rebuilds `messages` (dropping them with it), made them again.

/** What the index holds of a row: its text, then its file's name, if any. */
const indexed = (row: "new" | "old") => `${row}.text || coalesce(' ' || json_extract(${row}.media, '$.name'), '')`;

export function dropSearchTriggers(sql: SqlStorage): void {
  sql.exec("DROP TRIGGER messages_fts_insert");
  sql.exec("DROP TRIGGER messages_fts_delete");
  sql.exec("DROP TRIGGER messages_fts_update");
}

export function createSearchTriggers(sql: SqlStorage): void {
  sql.exec(`CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
      INSERT INTO messages_fts (rowid, text) VALUES (new.seq, ${indexed("new")});
    END`);
  sql.exec(`CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.seq, ${indexed("old")});
    END`);
  sql.exec(`CREATE TRIGGER messages_fts_update AFTER UPDATE OF seq, text, media ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.seq, ${indexed("old")});
      INSERT INTO messages_fts (rowid, text) VALUES (new.seq, ${indexed("new")});
    END`);
}
