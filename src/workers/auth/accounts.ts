// Accounts in D1: one row per user. Lookups return the public `User` shape;
// password material never leaves this module except to the login check.

import { AppError } from "../../shared/errors";
import type { LastSeenVisibility, Me, User } from "../../shared/protocol";
import type { PasswordHash } from "./password";

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  about: string;
  last_seen_visibility: LastSeenVisibility;
  password_hash: string;
  password_salt: string;
  password_iterations: number;
  avatar_etag: string | null;
}

export function toUser(row: UserRow): User {
  const user: User = { id: row.id, username: row.username, displayName: row.display_name, about: row.about };
  // The version in the URL lets clients cache the picture for good (see workers/avatars).
  if (row.avatar_etag) user.avatar = `/api/users/${row.id}/avatar?v=${row.avatar_etag}`;
  return user;
}

export function toMe(row: UserRow): Me {
  return { ...toUser(row), lastSeenVisibility: row.last_seen_visibility };
}

/**
 * Creates the account, and in the same D1 batch (one transaction) whatever
 * `alongside` holds (its first session): if D1 fails, neither exists, so a
 * retried registration does not meet its own half-made account.
 */
export async function createUser(
  db: D1Database,
  input: { id: string; username: string; displayName: string; password: PasswordHash },
  alongside: D1PreparedStatement[] = [],
): Promise<User> {
  const insert = db
    .prepare(
      `INSERT INTO users (id, username, display_name, password_hash, password_salt, password_iterations, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      input.id,
      input.username,
      input.displayName,
      input.password.hash,
      input.password.salt,
      input.password.iterations,
      Date.now(),
    );
  try {
    await db.batch([insert, ...alongside]);
  } catch (err) {
    if (String(err).includes("UNIQUE")) throw new AppError("username_taken", "that username is taken");
    throw err;
  }
  return { id: input.id, username: input.username, displayName: input.displayName, about: "" };
}

export async function findByUsername(db: D1Database, username: string): Promise<UserRow | null> {
  return db.prepare("SELECT * FROM users WHERE username = ?").bind(username).first<UserRow>();
}

export async function findById(db: D1Database, id: string): Promise<UserRow | null> {
  return db.prepare("SELECT * FROM users WHERE id = ?").bind(id).first<UserRow>();
}

export function passwordOf(row: UserRow): PasswordHash {
  return { hash: row.password_hash, salt: row.password_salt, iterations: row.password_iterations };
}
