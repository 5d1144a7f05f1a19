// GET/PATCH /api/me and GET /api/users/:username.

import { Hono } from "hono";
import { AppError } from "../../shared/errors";
import { normalizeUsername, parsePatchMeBody } from "../../shared/protocol";
import type { AppEnv } from "../app-env";
import { findById, findByUsername, toMe, toUser } from "../auth/accounts";
import { requireAuth } from "../auth/middleware";
import { readJson } from "../http";
import { presenceRoutes, pushLastSeenVisibility } from "./presence-routes";

export const meRoutes = new Hono<AppEnv>();
meRoutes.use(requireAuth);

meRoutes.get("/", async (c) => {
  const row = await findById(c.env.DB, c.get("auth").userId);
  if (!row) throw new AppError("not_found", "this account no longer exists");
  return c.json(toMe(row));
});

meRoutes.patch("/", async (c) => {
  const patch = parsePatchMeBody(await readJson(c));
  const { userId } = c.get("auth");
  await c.env.DB.prepare(
    `UPDATE users SET
       display_name = coalesce(?, display_name),
       about = coalesce(?, about),
       last_seen_visibility = coalesce(?, last_seen_visibility)
     WHERE id = ?`,
  )
    .bind(patch.displayName ?? null, patch.about ?? null, patch.lastSeenVisibility ?? null, userId)
    .run();
  if (patch.lastSeenVisibility) await pushLastSeenVisibility(c.env, userId, patch.lastSeenVisibility);
  const row = await findById(c.env.DB, userId);
  if (!row) throw new AppError("not_found", "this account no longer exists");
  return c.json(toMe(row));
});

export const userRoutes = new Hono<AppEnv>();
userRoutes.use(requireAuth);
userRoutes.route("/", presenceRoutes);

userRoutes.get("/:username", async (c) => {
  const row = await findByUsername(c.env.DB, normalizeUsername(c.req.param("username")));
  if (!row) throw new AppError("unknown_user", "no such user");
  return c.json(toUser(row));
});
