// The D1 copy of who blocked whom (migrations/0002), for the Worker's profile
// answers, and account lookups by many ids. A block row lives on the shard of
// its blocker (shared/shards.ts), beside the blocker's account; a question
// about many users asks each shard holding some of them once, in one batch
// of chunks (D1 binds at most 100 values per query).

import type { User } from "../../shared/protocol";
import { byShard, userDb } from "../../shared/shards";
import { toUser, type UserRow } from "../auth/accounts";

// D1 binds at most 100 values per query: the viewer and 99 others.
const CHUNK = 99;

export async function mirrorBlock(env: Env, blocker: string, blocked: string, now = Date.now()): Promise<void> {
  await userDb(env, blocker)
    .prepare("INSERT OR IGNORE INTO blocks (blocker, blocked, created_at) VALUES (?, ?, ?)")
    .bind(blocker, blocked, now)
    .run();
}

export async function mirrorUnblock(env: Env, blocker: string, blocked: string): Promise<void> {
  await userDb(env, blocker)
    .prepare("DELETE FROM blocks WHERE blocker = ? AND blocked = ?")
    .bind(blocker, blocked)
    .run();
}

/**
 * Runs `query` over `ids` grouped by shard: one batch per shard (its ids in
 * chunks of CHUNK), the shards at once. A shard that fails fails the whole
 * answer (as 503 `unavailable` when it is an outage).
 */
export async function perShard<Row>(
  env: Env,
  ids: Iterable<string>,
  query: (db: D1Database, chunk: string[]) => D1PreparedStatement,
): Promise<Row[]> {
  const answers = await Promise.all(
    [...byShard(ids)].map(async ([shard, list]) => {
      const db = env[shard];
      const statements: D1PreparedStatement[] = [];
      for (let i = 0; i < list.length; i += CHUNK) statements.push(query(db, list.slice(i, i + CHUNK)));
      const results = await db.batch<Row>(statements);
      return results.flatMap((result) => result.results);
    }),
  );
  return answers.flat();
}

const marks = (chunk: string[]) => chunk.map(() => "?").join(", ");

/**
 * Of `users`, those who blocked `viewer`: they show it no profile picture
 * (and no presence, which their own objects decide). For the profile routes.
 */
export async function blockersOf(env: Env, viewer: string, users: readonly string[]): Promise<Set<string>> {
  const rows = await perShard<{ blocker: string }>(env, users, (db, chunk) =>
    db.prepare(`SELECT blocker FROM blocks WHERE blocked = ? AND blocker IN (${marks(chunk)})`).bind(viewer, ...chunk),
  );
  return new Set(rows.map((row) => row.blocker));
}

/** Users as `viewer` may see them: without the picture of those who blocked it. */
export async function asSeenBy(env: Env, viewer: string, users: User[]): Promise<User[]> {
  const withAvatar = users.filter((u) => u.avatar !== undefined && u.id !== viewer).map((u) => u.id);
  if (withAvatar.length === 0) return users;
  const blockers = await blockersOf(env, viewer, withAvatar);
  return users.map((u) => {
    if (!blockers.has(u.id)) return u;
    const { avatar: _hidden, ...rest } = u;
    return rest;
  });
}

/** The accounts of these ids that exist, by id. */
export async function usersByIds(env: Env, ids: readonly string[]): Promise<Map<string, User>> {
  const rows = await perShard<UserRow>(env, ids, (db, chunk) =>
    db.prepare(`SELECT * FROM users WHERE id IN (${marks(chunk)})`).bind(...chunk),
  );
  return new Map(rows.map((row) => [row.id, toUser(row)]));
}
