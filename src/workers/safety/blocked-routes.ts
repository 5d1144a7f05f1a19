// GET/POST/DELETE /api/me/blocked: the users the caller blocked.
//
// The caller's user object is the authority (it drops what blocked users send
// one-to-one, see objects/user/blocks.ts); D1 keeps a copy so that profile
// answers can hide the blocker's picture from blocked users in one query.
// Both writes are idempotent: a failure between them is healed by retrying.

import { Hono } from "hono";
import { AppError, unwrap } from "../../shared/errors";
import { type BlockedUser, isEntityId, parseBlockBody } from "../../shared/protocol";
import type { AppEnv } from "../app-env";
import { findById, toUser } from "../auth/accounts";
import { requireAuth } from "../auth/middleware";
import { readJson } from "../http";
import { mirrorBlock, mirrorUnblock, usersByIds } from "./blocks-db";

export const blockedRoutes = new Hono<AppEnv>();
blockedRoutes.use(requireAuth);

blockedRoutes.get("/", async (c) => {
  const entries = await userObject(c.env, c.get("auth").userId).blocked();
  const users = await usersByIds(
    c.env,
    entries.map((e) => e.id),
  );
  const blocked: BlockedUser[] = entries.flatMap((e) => {
    const user = users.get(e.id);
    return user ? [{ user, since: e.since }] : [];
  });
  return c.json({ blocked });
});

blockedRoutes.post("/", async (c) => {
  const { userId } = parseBlockBody(await readJson(c));
  const me = c.get("auth").userId;
  const row = await findById(c.env, userId);
  if (!row) throw new AppError("unknown_user", "no such user");
  unwrap(await userObject(c.env, me).block(userId));
  await mirrorBlock(c.env, me, userId);
  return c.json({ user: toUser(row), blocked: true });
});

blockedRoutes.delete("/:userId", async (c) => {
  const userId = c.req.param("userId");
  if (!isEntityId(userId)) throw new AppError("invalid_field", "userId must be a user id");
  const me = c.get("auth").userId;
  await userObject(c.env, me).unblock(userId);
  await mirrorUnblock(c.env, me, userId);
  return c.body(null, 204);
});

function userObject(env: Env, id: string) {
  return env.USERS.get(env.USERS.idFromName(id));
}
