// GET/PATCH /api/me, GET /api/users/:username and GET /api/users?ids=.
// Profile pictures live in ../avatars.

import { Hono } from "hono";
import { AppError } from "../../shared/errors";
import { normalizeUsername, parsePatchMeBody } from "../../shared/protocol";
import { parseWith } from "../../shared/schemas/check";
import { userLookupQuery } from "../../shared/schemas/queries";
import { userDb } from "../../shared/shards";
import type { AppEnv } from "../app-env";
import { findById, findByUsername, toMe, toUser, type UserRow } from "../auth/accounts";
import { requireAuth } from "../auth/middleware";
import { readJson } from "../http";
import { asSeenBy, usersByIds } from "../safety/blocks-db";
import { presenceRoutes, pushLastSeenVisibility } from "./presence-routes";

export const meRoutes = new Hono<AppEnv>();
meRoutes.use(requireAuth);

meRoutes.get("/", async (c) => {
  const row = await findById(c.env, c.get("auth").userId);
  if (!row) throw new AppError("not_found", "this account no longer exists");
  return c.json(toMe(row));
});

meRoutes.patch("/", async (c) => {
  const patch = parsePatchMeBody(await readJson(c));
  const { userId } = c.get("auth");
  // One statement: the answer is the row as this update left it.
  const row = await userDb(c.env, userId)
    .prepare(
      `UPDATE users SET
       display_name = coalesce(?, display_name),
       about = coalesce(?, about),
       last_seen_visibility = coalesce(?, last_seen_visibility)
     WHERE id = ? RETURNING *`,
    )
    .bind(patch.displayName ?? null, patch.about ?? null, patch.lastSeenVisibility ?? null, userId)
    .first<UserRow>();
  if (patch.lastSeenVisibility) await pushLastSeenVisibility(c.env, userId, patch.lastSeenVisibility);
  if (!row) throw new AppError("not_found", "this account no longer exists");
  return c.json(toMe(row));
});

export const userRoutes = new Hono<AppEnv>();
userRoutes.use(requireAuth);
userRoutes.route("/", presenceRoutes);

/** Several users by id, in the order asked (messages and chats name users by id); unknown ids are left out. */
userRoutes.get("/", async (c) => {
  const { ids } = parseWith(userLookupQuery, c.req.query());
  // One query per shard holding some of them, then back into the order asked.
  const found = await usersByIds(c.env, ids);
  const users = ids.flatMap((id) => found.get(id) ?? []);
  return c.json({ users: await asSeenBy(c.env, c.get("auth").userId, users) });
});

userRoutes.get("/:username", async (c) => {
  const row = await findByUsername(c.env, normalizeUsername(c.req.param("username")));
  if (!row) throw new AppError("unknown_user", "no such user");
  const [user] = await asSeenBy(c.env, c.get("auth").userId, [toUser(row)]);
  return c.json(user);
});
