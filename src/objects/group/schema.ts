// The group object's SQLite schema, as versioned steps (see storage/schema.ts).
// Never edit a step that has shipped: add a new one.

import { META_TABLE } from "../storage/meta";
import type { SchemaStep } from "../storage/schema";

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
];
