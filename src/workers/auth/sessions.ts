// Sessions in D1: a token is valid while its session row exists, has not
// expired and was not revoked. That is what makes logout real for a JWT, and
// what lets a token outlive a server restart. A session is one logged-in
// device: the linked-devices list (GET /api/me/sessions) shows them.

import { randomId } from "../../shared/ids";
import { SESSION_TOUCH_MS, SESSIONS_PER_USER_MAX, TOKEN_TTL_SECONDS } from "../../shared/limits";

/**
 * A new session for the user. In the same transaction the user's newest
 * SESSIONS_PER_USER_MAX live sessions are kept and the rest revoked (so two
 * logins at once cannot leave six); `dropped` names them, for the caller to
 * close their sockets.
 */
export async function createSession(
  db: D1Database,
  userId: string,
  device: string,
  now = Date.now(),
): Promise<{ id: string; dropped: string[] }> {
  const { id, statements } = sessionStatements(db, userId, device, now);
  const [, revoked] = await db.batch<{ id: string }>(statements);
  return { id, dropped: (revoked?.results ?? []).map((row) => row.id) };
}

/** The statements of createSession, for a caller that batches them with its own (registration). */
export function sessionStatements(db: D1Database, userId: string, device: string, now = Date.now()) {
  const id = randomId();
  const statements = [
    db
      .prepare("INSERT INTO sessions (id, user_id, device, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
      .bind(id, userId, device.slice(0, 200), now, now + TOKEN_TTL_SECONDS * 1000),
    db
      .prepare(
        `UPDATE sessions SET revoked_at = ?1
         WHERE user_id = ?2 AND revoked_at IS NULL AND expires_at > ?1 AND id NOT IN (
           SELECT id FROM sessions WHERE user_id = ?2 AND revoked_at IS NULL AND expires_at > ?1
           ORDER BY created_at DESC, rowid DESC LIMIT ?3)
         RETURNING id`,
      )
      .bind(now, userId, SESSIONS_PER_USER_MAX),
  ];
  return { id, statements };
}

/** True if the session is live; notes its use at most every SESSION_TOUCH_MS (one small write). */
export async function isSessionActive(db: D1Database, sessionId: string, userId: string, now = Date.now()) {
  const row = await db
    .prepare(
      `SELECT coalesce(s.last_active_at, s.created_at) AS active FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > ?`,
    )
    .bind(sessionId, userId, now)
    .first<{ active: number }>();
  if (row === null) return false;
  if (now - row.active >= SESSION_TOUCH_MS) {
    await db.prepare("UPDATE sessions SET last_active_at = ? WHERE id = ?").bind(now, sessionId).run();
  }
  return true;
}

export async function revokeSession(db: D1Database, sessionId: string, now = Date.now()): Promise<void> {
  await db.prepare("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").bind(now, sessionId).run();
}

/** Revokes one of the user's live sessions; false if it has none by that id. */
export async function revokeOwnSession(db: D1Database, userId: string, sessionId: string, now = Date.now()) {
  const result = await db
    .prepare(
      "UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL AND expires_at > ?",
    )
    .bind(now, sessionId, userId, now)
    .run();
  return result.meta.changes > 0;
}

export interface SessionRow {
  id: string;
  device: string;
  created_at: number;
  last_active_at: number;
}

export async function listSessions(db: D1Database, userId: string, now = Date.now()): Promise<SessionRow[]> {
  const { results } = await db
    .prepare(
      `SELECT id, device, created_at, coalesce(last_active_at, created_at) AS last_active_at FROM sessions
       WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?
       ORDER BY created_at DESC, rowid DESC`,
    )
    .bind(userId, now)
    .all<SessionRow>();
  return results;
}
