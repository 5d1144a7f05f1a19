// GET /api/admin/users/:id/stats: one user object's counts (sockets, mailbox
// size, outbox depth, newest seq), for operators. Admins are the user ids
// listed in the ADMIN_USER_IDS var (comma-separated); everyone else gets 403.
// The id is checked in D1 first, so probing unknown ids creates no objects.

import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { AppError } from "../../shared/errors";
import { isEntityId } from "../../shared/protocol";
import type { AppEnv } from "../app-env";
import { findById } from "../auth/accounts";
import { requireAuth } from "../auth/middleware";

export function adminIds(setting: string | undefined): Set<string> {
  return new Set(
    (setting ?? "")
      .split(",")
      .map((id) => id.trim())
      .filter((id) => id !== ""),
  );
}

const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  if (!adminIds(c.env.ADMIN_USER_IDS).has(c.get("auth").userId)) {
    throw new AppError("forbidden", "operators only");
  }
  await next();
});

export const adminRoutes = new Hono<AppEnv>();
adminRoutes.use(requireAuth, requireAdmin);

adminRoutes.get("/users/:id/stats", async (c) => {
  const userId = c.req.param("id");
  if (!isEntityId(userId)) throw new AppError("invalid_field", "not a user id");
  if (!(await findById(c.env, userId))) throw new AppError("unknown_user", "no such user");
  const stats = await c.env.USERS.get(c.env.USERS.idFromName(userId)).stats();
  return c.json({ userId, ...stats });
});
