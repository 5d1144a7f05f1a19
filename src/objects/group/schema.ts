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
];
