// The group object's SQLite schema, as versioned steps (see storage/schema.ts).
// Never edit a step that has shipped: add a new one.

import { ARCHIVE_PAGES_TABLE } from "../storage/archive-index";
import { META_TABLE } from "../storage/meta";
import type { SchemaStep } from "../storage/schema";
import { createLogWords } from "./log-words";

export const GROUP_SCHEMA: readonly SchemaStep[] = [
  // v1: members, past membership spans, the ordered log and delivery cursors
  (sql) => {
    sql.exec(META_TABLE);
    // Current members. `since` is the log id of the entry that made them a
    // member (created / added): they receive that entry and everything after.
    sql.exec(`CREATE TABLE members (
      user_id TEXT PRIMARY KEY,
      role TEXT NOT NULL,
      since TEXT NOT NULL,
      joined_at INTEGER NOT NULL
    )`);
    sql.exec("CREATE INDEX members_by_since ON members(since)");
    // Membership that ended (removed / left), from `since` to the entry that
    // ended it, kept until everything in it has been delivered.
    sql.exec(`CREATE TABLE spans (
      user_id TEXT NOT NULL,
      from_id TEXT NOT NULL,
      to_id TEXT NOT NULL,
      PRIMARY KEY (user_id, from_id)
    )`);
    // The group's one order: every message and system event, by message id.
    sql.exec(`CREATE TABLE log (
      id TEXT PRIMARY KEY,
      sender TEXT NOT NULL,
      text TEXT NOT NULL,
      ts INTEGER NOT NULL,
      client_id TEXT,
      system TEXT
    )`);
    // A retried post (same sender, same clientId) finds its first answer here.
    sql.exec("CREATE UNIQUE INDEX log_by_client ON log(sender, client_id) WHERE client_id IS NOT NULL");
    // Per recipient: the last log id its user object confirmed (the fan-out's
    // only per-member write), and the backoff after a failed delivery.
    sql.exec(`CREATE TABLE cursors (
      user_id TEXT PRIMARY KEY,
      acked TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_at INTEGER NOT NULL DEFAULT 0
    )`);
  },
  // v2: message actions. A change (edit, delete for everyone) is a log entry
  // of its own, so the fan-out carries it in order after its message; the
  // message's row holds its current state. See ./changes.ts.
  (sql) => {
    sql.exec("ALTER TABLE log ADD COLUMN target TEXT"); // on a change: the message it changes
    sql.exec("ALTER TABLE log ADD COLUMN action TEXT"); // on a change: edit | delete
    sql.exec("ALTER TABLE log ADD COLUMN reply_to TEXT"); // on a reply: the quoted message
    sql.exec("ALTER TABLE log ADD COLUMN edited_at INTEGER");
    sql.exec("ALTER TABLE log ADD COLUMN deleted_at INTEGER");
    sql.exec("ALTER TABLE log ADD COLUMN deleted_by TEXT");
    // Every membership that ended, kept for good (spans are dropped once
    // delivered): who may receive a change to an old message, and who is
    // listed in a message's receipts.
    sql.exec(`CREATE TABLE past_members (
      user_id TEXT NOT NULL,
      from_id TEXT NOT NULL,
      to_id TEXT NOT NULL,
      PRIMARY KEY (user_id, from_id)
    )`);
    sql.exec("INSERT INTO past_members (user_id, from_id, to_id) SELECT user_id, from_id, to_id FROM spans");
  },
  // v3: the log is the only copy of a group message (issue 16, docs/groups.md).
  // Every entry gets a dense position (`pos`, the rowid, so no extra index;
  // `id` keeps its unique index), from which members' objects number it
  // arithmetically. The cursor row of each recipient also holds its delivered
  // and read positions (receipts as watermarks), rewritten in place and in
  // batches. The group's messages are searched here, once, not in every
  // member's mailbox.
  (sql) => {
    sql.exec(`CREATE TABLE log_v3 (
      pos INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      sender TEXT NOT NULL,
      text TEXT NOT NULL,
      ts INTEGER NOT NULL,
      client_id TEXT,
      system TEXT,
      target TEXT,
      action TEXT,
      reply_to TEXT,
      edited_at INTEGER,
      deleted_at INTEGER,
      deleted_by TEXT
    )`);
    sql.exec(`INSERT INTO log_v3 (id, sender, text, ts, client_id, system, target, action, reply_to, edited_at, deleted_at, deleted_by)
      SELECT id, sender, text, ts, client_id, system, target, action, reply_to, edited_at, deleted_at, deleted_by
      FROM log ORDER BY id`);
    sql.exec("DROP TABLE log");
    sql.exec("ALTER TABLE log_v3 RENAME TO log");
    sql.exec("CREATE UNIQUE INDEX log_by_client ON log(sender, client_id) WHERE client_id IS NOT NULL");
    sql.exec("ALTER TABLE cursors ADD COLUMN delivered TEXT NOT NULL DEFAULT ''");
    sql.exec("ALTER TABLE cursors ADD COLUMN read TEXT NOT NULL DEFAULT ''");
    // Members' receipts so far were written to senders one by one: start the watermarks at the cursor.
    sql.exec("UPDATE cursors SET delivered = acked, read = ''");
    sql.exec(`CREATE VIRTUAL TABLE log_fts USING fts5(
      text, content='log', content_rowid='pos', tokenize='unicode61 remove_diacritics 2', prefix='1 2', columnsize=0
    )`);
    // Messages only: system entries and changes are never search hits.
    sql.exec(`CREATE TRIGGER log_fts_insert AFTER INSERT ON log WHEN new.system IS NULL AND new.target IS NULL BEGIN
      INSERT INTO log_fts (rowid, text) VALUES (new.pos, new.text);
    END`);
    sql.exec(`CREATE TRIGGER log_fts_update AFTER UPDATE OF text ON log WHEN old.system IS NULL AND old.target IS NULL BEGIN
      INSERT INTO log_fts (log_fts, rowid, text) VALUES ('delete', old.pos, old.text);
      INSERT INTO log_fts (rowid, text) VALUES (new.pos, new.text);
    END`);
    sql.exec(`INSERT INTO log_fts (rowid, text) SELECT pos, text FROM log WHERE system IS NULL AND target IS NULL`);
  },
  // v4: reactions and forwards (issue 18). One row per person who reacted to
  // a message, keyed by the message's position and replaced in place (a
  // change entry of the log carries it to the members, as an edit); a
  // forwarded copy's hop count is a column of its log row. See ./reactions.ts.
  (sql) => {
    sql.exec(`CREATE TABLE reactions (
      pos INTEGER NOT NULL,
      user_id TEXT NOT NULL,
      emoji TEXT NOT NULL,
      at TEXT NOT NULL,
      PRIMARY KEY (pos, user_id)
    ) WITHOUT ROWID`);
    sql.exec("ALTER TABLE log ADD COLUMN forwarded INTEGER");
  },
  // v5: media (issue 18): a message's photo, file or voice note as JSON in
  // one more column; the search index takes a file's name with the caption.
  (sql) => {
    sql.exec("ALTER TABLE log ADD COLUMN media TEXT");
    const indexed = (row: "new" | "old") => `${row}.text || coalesce(' ' || json_extract(${row}.media, '$.name'), '')`;
    sql.exec("DROP TRIGGER log_fts_insert");
    sql.exec("DROP TRIGGER log_fts_update");
    sql.exec(`CREATE TRIGGER log_fts_insert AFTER INSERT ON log WHEN new.system IS NULL AND new.target IS NULL BEGIN
      INSERT INTO log_fts (rowid, text) VALUES (new.pos, ${indexed("new")});
    END`);
    sql.exec(`CREATE TRIGGER log_fts_update AFTER UPDATE OF text, media ON log WHEN old.system IS NULL AND old.target IS NULL BEGIN
      INSERT INTO log_fts (log_fts, rowid, text) VALUES ('delete', old.pos, ${indexed("old")});
      INSERT INTO log_fts (rowid, text) VALUES (new.pos, ${indexed("new")});
    END`);
  },
  // v6: old pages of the log go to R2 (docs/archive.md): one row per page
  // archived, its positions, ids and R2 key. The log's rows of a page leave in
  // the transaction that marks it done.
  (sql) => {
    sql.exec(ARCHIVE_PAGES_TABLE);
  },
  // v7: the search index in blocks of 16 positions, one document each,
  // written when a block completes (./log-words.ts): a row per 16 entries
  // instead of one per message.
  (sql) => {
    createLogWords(sql);
  },
];
