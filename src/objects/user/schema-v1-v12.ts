// Schema steps 1 to 12 of the user object (./schema.ts), in a file of their own
// for their length; like every step that has shipped, never edited.

import { META_TABLE } from "../storage/meta";
import { OUTBOX_INDEX, OUTBOX_TABLE } from "../storage/outbox";
import type { SchemaStep } from "../storage/schema";
import { COUNTERS_KEY, packCounters } from "./counters";
import { MEDIA_TABLES } from "./media-store";
import { MUTES_TABLE } from "./mutes";
import { createSearchTriggers, dropSearchTriggers } from "./search-triggers";
import { WATCHERS_INDEX, WATCHERS_TABLE } from "./subscriptions";
import { WATCHING_INDEX, WATCHING_TABLE } from "./watching";
import { PUSH_TABLE } from "./web-push";

// v1: the mailbox, chats, receipts, contacts and the outbox
export const STEP_1: SchemaStep = (sql) => {
  sql.exec(META_TABLE);
  // One row per message in this user's mailbox, sent or received.
  // seq is the sync cursor; seq numbers are shared with `receipts`.
  sql.exec(`CREATE TABLE messages (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      chat TEXT NOT NULL,
      sender TEXT NOT NULL,
      text TEXT NOT NULL,
      ts INTEGER NOT NULL,
      client_id TEXT,
      system TEXT,
      delivered_at INTEGER,
      read_at INTEGER
    )`);
  // A retried send with the same clientId finds its first answer here.
  sql.exec("CREATE UNIQUE INDEX messages_by_client_id ON messages(client_id) WHERE client_id IS NOT NULL");
  sql.exec("CREATE INDEX messages_by_chat ON messages(chat, id)");
  sql.exec("CREATE INDEX messages_unread ON messages(chat, sender) WHERE read_at IS NULL");
  // Receipts for messages this user sent, kept so that sync replays them.
  sql.exec(`CREATE TABLE receipts (
      seq INTEGER PRIMARY KEY,
      rid TEXT NOT NULL UNIQUE,
      chat TEXT NOT NULL,
      ids TEXT NOT NULL,
      status TEXT NOT NULL,
      by TEXT NOT NULL,
      ts INTEGER NOT NULL
    )`);
  // One row per chat: what GET /api/chats lists.
  sql.exec(`CREATE TABLE chats (
      chat TEXT PRIMARY KEY,
      last_seq INTEGER NOT NULL,
      last_id TEXT NOT NULL,
      unread INTEGER NOT NULL DEFAULT 0
    )`);
  sql.exec("CREATE INDEX chats_by_recency ON chats(last_seq)");
  // Users this one has exchanged a one-to-one message with (since v6: written to).
  sql.exec("CREATE TABLE contacts (user_id TEXT PRIMARY KEY, since INTEGER NOT NULL)");
  sql.exec(OUTBOX_TABLE);
  sql.exec(OUTBOX_INDEX);
};

// v2: presence subscriptions, both sides (who watches this user; whom this user's devices watch)
export const STEP_2: SchemaStep = (sql) => {
  sql.exec(WATCHERS_TABLE);
  sql.exec(WATCHERS_INDEX);
  sql.exec(WATCHING_TABLE);
  sql.exec(WATCHING_INDEX);
};

// v3: full-text search over message text (see ./search.ts and docs/protocol.md).
// An external-content FTS5 table: it stores only the index, keyed by
// messages.seq, and reads the text from `messages`. Triggers keep it in step
// with every insert path (own sends, deliveries, group fan-out) inside the
// same statement; the mailbox inserts a message once (dedupe by id and
// clientId), so each message is indexed once. `rebuild` indexes the rows an
// older mailbox already had, in the same transaction as the rest of the step.
export const STEP_3: SchemaStep = (sql) => {
  sql.exec(`CREATE VIRTUAL TABLE messages_fts USING fts5(
      text, content='messages', content_rowid='seq', tokenize='unicode61 remove_diacritics 2'
    )`);
  sql.exec(`CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
      INSERT INTO messages_fts (rowid, text) VALUES (new.seq, new.text);
    END`);
  sql.exec(`CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.seq, old.text);
    END`);
  sql.exec(`CREATE TRIGGER messages_fts_update AFTER UPDATE OF seq, text ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.seq, old.text);
      INSERT INTO messages_fts (rowid, text) VALUES (new.seq, new.text);
    END`);
  sql.exec("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')");
};

// v4: the search index again, with prefix indexes for 1 and 2 characters, so
// that the first keystrokes of a search ("d", "di") read one stored list
// instead of merging the lists of every word they start (measured in
// docs/benchmarks.md, "Search"). Same table name and content, so the v3
// triggers keep feeding it; `rebuild` indexes what the mailbox holds.
export const STEP_4: SchemaStep = (sql) => {
  sql.exec("DROP TABLE messages_fts");
  sql.exec(`CREATE VIRTUAL TABLE messages_fts USING fts5(
      text, content='messages', content_rowid='seq', tokenize='unicode61 remove_diacritics 2', prefix='1 2'
    )`);
  sql.exec("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')");
};

// v5: message actions (reply, edit, delete), receipts per reader, blocked users.
// See ./changes.ts and docs/actions.md.
export const STEP_5: SchemaStep = (sql) => {
  // A message's state after edits and deletes; `change_id` is the newest
  // change applied, so an older one delivered again is ignored.
  sql.exec("ALTER TABLE messages ADD COLUMN edited_at INTEGER");
  sql.exec("ALTER TABLE messages ADD COLUMN deleted_at INTEGER");
  sql.exec("ALTER TABLE messages ADD COLUMN deleted_by TEXT");
  sql.exec("ALTER TABLE messages ADD COLUMN change_id TEXT");
  // A reply's quote: the quoted id and sender, and its excerpt (NULL once deleted).
  sql.exec("ALTER TABLE messages ADD COLUMN reply_to TEXT");
  sql.exec("ALTER TABLE messages ADD COLUMN reply_from TEXT");
  sql.exec("ALTER TABLE messages ADD COLUMN reply_excerpt TEXT");
  sql.exec("CREATE INDEX messages_by_reply ON messages(reply_to) WHERE reply_to IS NOT NULL");
  // Mailbox entries for edits and deletes (seq shared with messages and
  // receipts, so sync replays them in order). kind: update | removed.
  sql.exec(`CREATE TABLE changes (
      seq INTEGER PRIMARY KEY,
      cid TEXT NOT NULL,
      kind TEXT NOT NULL,
      chat TEXT NOT NULL,
      target TEXT NOT NULL,
      client_id TEXT
    )`);
  sql.exec("CREATE UNIQUE INDEX changes_by_client_id ON changes(client_id) WHERE client_id IS NOT NULL");
  // Changes that arrived before their message, applied when it arrives.
  sql.exec("CREATE TABLE held_changes (cid TEXT PRIMARY KEY, target TEXT NOT NULL, item TEXT NOT NULL)");
  sql.exec("CREATE INDEX held_changes_by_target ON held_changes(target)");
  // Ids deleted for me (or dropped from a blocked user): a delivery repeated
  // after that must not bring the message back.
  sql.exec("CREATE TABLE forgotten (id TEXT PRIMARY KEY) WITHOUT ROWID");
  // Per message this user sent, per reader: when it was delivered and read.
  sql.exec(`CREATE TABLE receipt_marks (
      id TEXT NOT NULL,
      reader TEXT NOT NULL,
      delivered_at INTEGER,
      read_at INTEGER,
      PRIMARY KEY (id, reader)
    ) WITHOUT ROWID`);
  sql.exec("CREATE TABLE blocked (user_id TEXT PRIMARY KEY, since INTEGER NOT NULL) WITHOUT ROWID");
};

// v6: a contact (lastSeenVisibility "contacts") is someone this user wrote
// to, no longer anyone who wrote first: rows only a received message made
// are dropped (one-to-one chat u:<peer>; an own message's sender is not the peer).
export const STEP_6: SchemaStep = (sql) => {
  sql.exec(`DELETE FROM contacts WHERE user_id NOT IN (
      SELECT substr(chat, 3) FROM messages WHERE chat LIKE 'u:%' AND sender <> substr(chat, 3)
    )`);
};

// v7: a one-to-one message at fewer rows written (issue 16; every statement
// of the path and its reason: docs/architecture.md, "Rows per message").
export const STEP_7: SchemaStep = (sql) => {
  // The seq and the id clock in one meta row instead of three (./counters.ts).
  const old = (key: string) =>
    Number(sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? 0);
  sql.exec(
    "INSERT INTO meta (key, value) VALUES (?, ?)",
    COUNTERS_KEY,
    packCounters(old("seq"), { ts: old("id_ts"), seq: old("id_seq") }),
  );
  sql.exec("DELETE FROM meta WHERE key IN ('seq', 'id_ts', 'id_seq')");
  // Every message entered this partial index (one's own too: their read_at
  // stays NULL) and left it when read: two index writes a message. Reads
  // scan a chat from its read floor instead (below it everything is read).
  sql.exec("DROP INDEX messages_unread");
  sql.exec("ALTER TABLE chats ADD COLUMN read_floor TEXT");
  // The chat list sorts its few rows itself; the index cost a write on both sides of every message.
  sql.exec("DROP INDEX chats_by_recency");
  // The search index without its per-document size rows (columnsize=0: one
  // row written per message, read only for ranking, which search does not do).
  sql.exec("DROP TABLE messages_fts");
  sql.exec(`CREATE VIRTUAL TABLE messages_fts USING fts5(
      text, content='messages', content_rowid='seq', tokenize='unicode61 remove_diacritics 2', prefix='1 2', columnsize=0
    )`);
  sql.exec("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')");
  // The outbox without AUTOINCREMENT, whose sqlite_sequence row was one more
  // write per item. Row ids only need to grow while rows exist (confirmed
  // rows are remembered by id until deleted), which a plain rowid does.
  sql.exec(`CREATE TABLE outbox_v7 (
      id INTEGER PRIMARY KEY,
      target TEXT NOT NULL,
      item TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_at INTEGER NOT NULL
    )`);
  sql.exec(
    "INSERT INTO outbox_v7 (id, target, item, attempts, next_at) SELECT id, target, item, attempts, next_at FROM outbox",
  );
  sql.exec("DROP TABLE outbox");
  sql.exec("ALTER TABLE outbox_v7 RENAME TO outbox");
  sql.exec(OUTBOX_INDEX);
  // The mailbox is the outbox of one-to-one messages (./peer-log.ts): per
  // chat, the newest own message (`last_own`) and the newest its peer
  // confirmed (`handed`). What older code sent is delivered by the outbox
  // rows it wrote, so both start at the newest own message. Own messages
  // are the rows with a clientId (a received one-to-one message has none).
  sql.exec("ALTER TABLE chats ADD COLUMN last_own TEXT");
  sql.exec("ALTER TABLE chats ADD COLUMN handed TEXT");
  sql.exec(`UPDATE chats SET last_own =
      (SELECT max(m.id) FROM messages m WHERE m.chat = chats.chat AND m.client_id IS NOT NULL)
      WHERE chat LIKE 'u:%'`);
  sql.exec("UPDATE chats SET handed = last_own");
  // One-to-one message info is read from the receipts log (./receipt-marks.ts),
  // which holds every receipt since v1: the marks of one-to-one messages go.
  sql.exec("DELETE FROM receipt_marks WHERE id IN (SELECT id FROM messages WHERE chat LIKE 'u:%')");
};

// v8: a group message is stored once, in its group's log (issue 16,
// docs/groups.md). Per group this object keeps one row (what it took of the
// log, the chat list's entry, unread, read position, and its newest run) and
// its older runs: the entries at positions pos .. pos+count-1 have seqs
// seq .. seq+count-1.
// Group messages stored by older code stay where they are (`floor`: ids up
// to it are rows of `messages`); their chats move from `chats` to here.
export const STEP_8: SchemaStep = (sql) => {
  sql.exec(`CREATE TABLE group_chats (
      chat TEXT PRIMARY KEY,
      upto TEXT NOT NULL,
      upto_pos INTEGER NOT NULL,
      floor TEXT NOT NULL,
      last_seq INTEGER NOT NULL,
      last TEXT,
      unread INTEGER NOT NULL DEFAULT 0,
      read_upto TEXT NOT NULL DEFAULT '',
      run_seq INTEGER,
      run_pos INTEGER,
      run_count INTEGER
    ) WITHOUT ROWID`);
  sql.exec(
    "CREATE TABLE group_runs (seq INTEGER PRIMARY KEY, chat TEXT NOT NULL, pos INTEGER NOT NULL, count INTEGER NOT NULL)",
  );
  sql.exec("CREATE INDEX group_runs_by_chat ON group_runs(chat, pos)");
  sql.exec(`INSERT INTO group_chats (chat, upto, upto_pos, floor, last_seq, last, unread, read_upto)
      SELECT chat, last_id, 0, last_id, last_seq, NULL, unread, coalesce(read_floor, '') FROM chats WHERE chat LIKE 'g:%'`);
  sql.exec("DELETE FROM chats WHERE chat LIKE 'g:%'");
};

// v9: muted chats (issue 18, notifications; ./mutes.ts). A self-contained
// step: one new table, nothing else read or changed.
export const STEP_9: SchemaStep = (sql) => {
  sql.exec(MUTES_TABLE);
};

// v10: Web Push subscriptions (issue 18, notifications; ./web-push.ts). Self-contained too.
export const STEP_10: SchemaStep = (sql) => {
  sql.exec(PUSH_TABLE);
};

// v11: reactions and forwards (issue 18; ./reactions.ts, docs/actions.md).
// One row per person who reacted to a one-to-one message, replaced in place
// ('' once taken back, so an older one delivered late stays older); one
// mailbox entry per reacted message (`changes`, kind react), moved to a new
// seq at each reaction, so a device that was away replays the final state
// once. A forwarded copy's hop count is a column of its message row.
export const STEP_11: SchemaStep = (sql) => {
  sql.exec(`CREATE TABLE reactions (
      target TEXT NOT NULL,
      user_id TEXT NOT NULL,
      emoji TEXT NOT NULL,
      cid TEXT NOT NULL,
      client_id TEXT,
      PRIMARY KEY (target, user_id)
    ) WITHOUT ROWID`);
  sql.exec("CREATE UNIQUE INDEX changes_by_reacted ON changes(target) WHERE kind = 'react'");
  sql.exec("ALTER TABLE messages ADD COLUMN forwarded INTEGER");
};

// v12: photos, files and voice notes (issue 18; ./media-store.ts). A message
// keeps its media as JSON in one more column (no row more per message); the
// search index takes a file's name with the caption, so the triggers are
// made again (the same text as before for every row without media).
export const STEP_12: SchemaStep = (sql) => {
  sql.exec("ALTER TABLE messages ADD COLUMN media TEXT");
  for (const statement of MEDIA_TABLES) sql.exec(statement);
  dropSearchTriggers(sql);
  createSearchTriggers(sql);
};
