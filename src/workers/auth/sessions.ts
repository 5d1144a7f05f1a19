// Sessions in D1: a token is valid while its session row exists, has not
// expired and was not revoked. That is what makes logout real for a JWT, and
// what lets a token outlive a server restart.

import { randomId } from "../../shared/ids";
import { TOKEN_TTL_SECONDS } from "../../shared/limits";

export async function createSession(db: D1Database, userId: string, device: string, now = Date.now()): Promise<string> {
  const id = randomId();
  await db
    .prepare("INSERT INTO sessions (id, user_id, device, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
    .bind(id, userId, device.slice(0, 200), now, now + TOKEN_TTL_SECONDS * 1000)
    .run();
  return id;
}

export async function isSessionActive(db: D1Database, sessionId: string, userId: string, now = Date.now()) {
  const row = await db
    .prepare(
      `SELECT 1 AS ok FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > ?`,
    )
    .bind(sessionId, userId, now)
    .first();
  return row !== null;
}

export async function revokeSession(db: D1Database, sessionId: string, now = Date.now()): Promise<void> {
  await db.prepare("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").bind(now, sessionId).run();
}
