// GET /api/me/sessions and DELETE /api/me/sessions/:id: the linked devices
// (one session per login) and logging one out remotely, which revokes its
// token and closes its sockets at once.

import { Hono } from "hono";
import { AppError } from "../../shared/errors";
import { isEntityId, type SessionInfo } from "../../shared/protocol";
import { previousShardOfUser, userDb } from "../../shared/shards";
import type { AppEnv } from "../app-env";
import { requireAuth } from "../auth/middleware";
import { listSessions, revokeOwnSession } from "../auth/sessions";

export const sessionRoutes = new Hono<AppEnv>();
sessionRoutes.use(requireAuth);

sessionRoutes.get("/", async (c) => {
  const { userId, sessionId } = c.get("auth");
  const [rows, online] = await Promise.all([
    listSessions(userDb(c.env, userId), userId),
    userObject(c.env, userId).onlineSessions(),
  ]);
  const live = new Set(online);
  const sessions: SessionInfo[] = rows.map((row) => ({
    id: row.id,
    device: row.device,
    createdAt: row.created_at,
    lastActiveAt: row.last_active_at,
    online: live.has(row.id),
    current: row.id === sessionId,
  }));
  return c.json({ sessions });
});

sessionRoutes.delete("/:id", async (c) => {
  const id = c.req.param("id");
  const { userId } = c.get("auth");
  // While the user's bucket moves, the session may still be on the shard it comes from only: revoke on both.
  const previous = previousShardOfUser(userId);
  const revoked = isEntityId(id) && (await revokeOwnSession(userDb(c.env, userId), userId, id));
  const revokedThere = isEntityId(id) && previous !== null && (await revokeOwnSession(c.env[previous], userId, id));
  if (!revoked && !revokedThere) throw new AppError("unknown_session", "no such session");
  await userObject(c.env, userId).closeSession(id);
  return c.body(null, 204);
});

function userObject(env: Env, id: string) {
  return env.USERS.get(env.USERS.idFromName(id));
}
