// The D1 copy of who blocked whom (migrations/0002), for the Worker's profile
// answers, and account lookups by id in chunks (D1 binds at most 100 values).

import type { User } from "../../shared/protocol";
import { toUser } from "../auth/accounts";

// D1 binds at most 100 values per query: the viewer and 99 others.
const CHUNK = 99;

export async function mirrorBlock(db: D1Database, blocker: string, blocked: string, now = Date.now()): Promise<void> {
  await db
    .prepare("INSERT OR IGNORE INTO blocks (blocker, blocked, created_at) VALUES (?, ?, ?)")
    .bind(blocker, blocked, now)
    .run();
}

export async function mirrorUnblock(db: D1Database, blocker: string, blocked: string): Promise<void> {
  await db.prepare("DELETE FROM blocks WHERE blocker = ? AND blocked = ?").bind(blocker, blocked).run();
}

/**
 * Of `users`, those who blocked `viewer`: they show it no profile picture
 * (and no presence, which their own objects decide). For the profile routes.
 */
export async function blockersOf(db: D1Database, viewer: string, users: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < users.length; i += CHUNK) {
    const chunk = users.slice(i, i + CHUNK);
    const { results } = await db
      .prepare(`SELECT blocker FROM blocks WHERE blocked = ? AND blocker IN (${chunk.map(() => "?").join(", ")})`)
      .bind(viewer, ...chunk)
      .all<{ blocker: string }>();
    for (const row of results) found.add(row.blocker);
  }
  return found;
}

/** Users as `viewer` may see them: without the picture of those who blocked it. */
export async function asSeenBy(db: D1Database, viewer: string, users: User[]): Promise<User[]> {
  const withAvatar = users.filter((u) => u.avatar !== undefined && u.id !== viewer).map((u) => u.id);
  if (withAvatar.length === 0) return users;
  const blockers = await blockersOf(db, viewer, withAvatar);
  return users.map((u) => {
    if (!blockers.has(u.id)) return u;
    const { avatar: _hidden, ...rest } = u;
    return rest;
  });
}

export async function usersByIds(db: D1Database, ids: readonly string[]): Promise<Map<string, User>> {
  const users = new Map<string, User>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const { results } = await db
      .prepare(`SELECT * FROM users WHERE id IN (${chunk.map(() => "?").join(", ")})`)
      .bind(...chunk)
      .all<Parameters<typeof toUser>[0]>();
    for (const row of results) users.set(row.id, toUser(row));
  }
  return users;
}
