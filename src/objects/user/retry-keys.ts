// The retry key (sender, clientId) of the messages stored here, written in
// batches (schema step 21; docs/one-copy-per-chat.md, "The retry key in
// batches, as built"). Before it, a unique index on `messages` took an entry
// per message: clientIds are random, so each message's commit wrote a page
// of that index of its own, about a fifth of a one-to-one message's bytes on
// disk. Now the keys live in `retry_keys`, a table filled as the search index
// is (./search-triggers.ts): the messages after `retry_upto` (a meta row, a
// seq) are the tail, not yet in it, and a lookup reads them one by one (at
// most RETRY_TAIL_SEQS of seqs, by the rowid); an insert that makes the tail
// span that many seqs puts the tail's keys in the table, in the same
// statement and so the same commit as the message.
//
// Exact, whatever crashes: the tail is rows stored, the table is rows stored,
// and the position moves in the commit that fills the table. A key is in the
// table or in the tail, never neither. A deleted row takes its key with it
// (archive, delete for me), as the index entry went with its row.

/** The meta row holding the newest seq whose key is in `retry_keys`; every message above it is the tail. */
export const RETRY_UPTO_KEY = "retry_upto";

/** The tail's keys go into the table once it spans this many seqs (messages and other entries). */
export const RETRY_TAIL_SEQS = 64;

/** The table's position; missing (never, after step 21), it is above every seq: a key goes in at once. */
const UPTO = `coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = '${RETRY_UPTO_KEY}'), 9007199254740991)`;

/** Puts the tail's keys (the rows where `due` holds) into the table and moves the position to the newest message. */
const fillFromTail = (due: string) => [
  `INSERT OR IGNORE INTO retry_keys (client_id, seq)
     SELECT client_id, seq FROM messages WHERE ${due} AND seq > ${UPTO} AND client_id IS NOT NULL`,
  `UPDATE meta SET value = CAST((SELECT max(seq) FROM messages) AS TEXT)
     WHERE ${due} AND key = '${RETRY_UPTO_KEY}' AND (SELECT max(seq) FROM messages) > CAST(value AS INTEGER)`,
];

/**
 * A key's clientId and its row's seq; the sender is the row's. Without the
 * sender an entry is about two thirds the size, so a fill touches fewer
 * pages; a clientId has at most one row per sender, each checked.
 */
export const RETRY_KEYS_TABLE = `CREATE TABLE retry_keys (
  client_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (client_id, seq)
) WITHOUT ROWID`;

/**
 * The triggers that keep `retry_keys` with `messages`. An insert at or below
 * the position (none is: seqs only grow) goes in at once; an insert that makes
 * the tail span RETRY_TAIL_SEQS fills the table from the tail. A delete, or an
 * update that moves a row's key or seq, takes the key out of the table if it
 * is there, and puts the new one in if its seq is at or below the position.
 */
export function createRetryKeyTriggers(sql: SqlStorage): void {
  sql.exec(`CREATE TRIGGER messages_retry_insert AFTER INSERT ON messages BEGIN
      INSERT OR IGNORE INTO retry_keys (client_id, seq)
        SELECT new.client_id, new.seq WHERE new.client_id IS NOT NULL AND new.seq <= ${UPTO};
      ${fillFromTail(`new.seq - ${UPTO} >= ${RETRY_TAIL_SEQS}`)
        .map((statement) => `${statement};`)
        .join("\n")}
    END`);
  sql.exec(`CREATE TRIGGER messages_retry_delete AFTER DELETE ON messages
      WHEN old.client_id IS NOT NULL AND old.seq <= ${UPTO} BEGIN
      DELETE FROM retry_keys WHERE client_id = old.client_id AND seq = old.seq;
    END`);
  sql.exec(`CREATE TRIGGER messages_retry_update AFTER UPDATE OF seq, client_id ON messages BEGIN
      DELETE FROM retry_keys WHERE client_id = old.client_id AND seq = old.seq;
      INSERT OR IGNORE INTO retry_keys (client_id, seq)
        SELECT new.client_id, new.seq WHERE new.client_id IS NOT NULL AND new.seq <= ${UPTO};
    END`);
}

/**
 * The seq of the message stored with this retry key (null: none): the tail
 * first (at most RETRY_TAIL_SEQS seqs, by the rowid), then the table, whose
 * seq must still hold a row with that key.
 */
export function retrySeq(sql: SqlStorage, clientId: string, sender: string): number | null {
  const row = sql
    .exec<{ seq: number }>(
      `SELECT seq FROM messages WHERE seq > ${UPTO} AND client_id = ?1 AND sender = ?2
       UNION ALL
       SELECT m.seq FROM retry_keys k JOIN messages m ON m.seq = k.seq
         WHERE k.client_id = ?1 AND m.client_id = ?1 AND m.sender = ?2
       LIMIT 1`,
      clientId,
      sender,
    )
    .toArray()[0];
  return row?.seq ?? null;
}

/** Fills the table from the whole tail now (tests look at the table whole with it). */
export function fillRetryKeys(sql: SqlStorage): void {
  for (const statement of fillFromTail("1")) sql.exec(statement);
}
