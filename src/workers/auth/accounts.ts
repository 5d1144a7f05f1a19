// Accounts in D1: one row per user, on the shard of its id and username
// (shared/shards.ts). Lookups return the public `User` shape; password
// material never leaves this module except to the login check.

import { AppError } from "../../shared/errors";
import type { LastSeenVisibility, Me, User } from "../../shared/protocol";
import {
  LEGACY_SHARD,
  previousShardOfUser,
  previousShardOfUsername,
  shardOfUsername,
  userDb,
  usernameDb,
} from "../../shared/shards";
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
 * Creates the account on its shard (input.id carries the bucket of the
 * username: shared/shards.ts newUserId), and in the same D1 batch (one
 * transaction) whatever `alongside` holds (its first session, prepared on
 * userDb(env, id)): if D1 fails, neither exists, so a retried registration
 * does not meet its own half-made account. The unique index of that shard is
 * the username's uniqueness; only accounts older than sharding, on
 * LEGACY_SHARD, are checked besides (they never grow, so no race).
 */
export async function createUser(
  env: Env,
  input: { id: string; username: string; displayName: string; password: PasswordHash },
  alongside: D1PreparedStatement[] = [],
): Promise<User> {
  if (await findLegacyByUsername(env, input.username)) {
    throw new AppError("username_taken", "that username is taken");
  }
  const db = userDb(env, input.id);
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

/**
 * The account of a (lower-case) username: on the shard it hashes to; while
 * its bucket is being moved, on the shard it comes from if not yet copied;
 * else (an older account) on LEGACY_SHARD.
 */
export async function findByUsername(env: Env, username: string): Promise<UserRow | null> {
  const row = await byUsername(usernameDb(env, username), username);
  if (row) return row;
  const previous = previousShardOfUsername(username);
  const moving = previous ? await byUsername(env[previous], username) : null;
  return moving ?? findLegacyByUsername(env, username);
}

/** An account made before sharding whose username hashes to another shard than LEGACY_SHARD. */
async function findLegacyByUsername(env: Env, username: string): Promise<UserRow | null> {
  if (LEGACY_SHARD === null || shardOfUsername(username) === LEGACY_SHARD) return null;
  return byUsername(env[LEGACY_SHARD], username);
}

function byUsername(db: D1Database, username: string): Promise<UserRow | null> {
  return db.prepare("SELECT * FROM users WHERE username = ?").bind(username).first<UserRow>();
}

export async function findById(env: Env, id: string): Promise<UserRow | null> {
  const byId = (db: D1Database) => db.prepare("SELECT * FROM users WHERE id = ?").bind(id).first<UserRow>();
  const row = await byId(userDb(env, id));
  const previous = row ? null : previousShardOfUser(id);
  return previous ? byId(env[previous]) : row;
}

export function passwordOf(row: UserRow): PasswordHash {
  return { hash: row.password_hash, salt: row.password_salt, iterations: row.password_iterations };
}
