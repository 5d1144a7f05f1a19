// GET /api/users/:id/presence, answered by the user's object, which applies
// its owner's lastSeenVisibility for the caller; and the push of that setting
// to the object when PATCH /api/me changes it.

import { Hono } from "hono";
import { AppError } from "../../shared/errors";
import { isEntityId, type LastSeenVisibility, type Presence } from "../../shared/protocol";
import { userDb } from "../../shared/shards";
import type { AppEnv } from "../app-env";
import { blockersOf } from "../safety/blocks-db";

export const presenceRoutes = new Hono<AppEnv>();

presenceRoutes.get("/:id/presence", async (c) => {
  const id = c.req.param("id");
  // Checked in D1 first: asking an object for a user that does not exist would create it.
  const exists =
    isEntityId(id) && (await userDb(c.env, id).prepare("SELECT 1 FROM users WHERE id = ?").bind(id).first());
  if (!exists) throw new AppError("unknown_user", "no such user");
  const viewer = c.get("auth").userId;
  // Whom the caller blocked, it does not see either (as in WhatsApp); the D1 copy of blocks says so.
  if (id !== viewer && (await blockersOf(c.env, id, [viewer])).size > 0) {
    const hidden: Presence = { online: false, lastSeen: null };
    return c.json(hidden);
  }
  const presence: Presence = await userObject(c.env, id).presenceFor(viewer);
  return c.json(presence);
});

/** Tells the user's object its new setting, so that watchers see the change at once. */
export async function pushLastSeenVisibility(env: Env, userId: string, value: LastSeenVisibility): Promise<void> {
  await userObject(env, userId).setLastSeenVisibility(value);
}

function userObject(env: Env, userId: string) {
  return env.USERS.get(env.USERS.idFromName(userId));
}
