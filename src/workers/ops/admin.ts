// GET /api/admin/users/:id/stats: one user object's counts (sockets, mailbox
// size, outbox depth, newest seq), for operators; and the steps of moving a
// bucket of accounts to another shard (below). Admins are the user ids
// listed in the ADMIN_USER_IDS var (comma-separated); everyone else gets 403.
// The id is checked in D1 first, so probing unknown ids creates no objects.

import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { AppError } from "../../shared/errors";
import { isEntityId } from "../../shared/protocol";
import { BUCKETS, SHARDS, type Shard, shardOfBucket } from "../../shared/shards";
import { copyBucket, removeBucket, verifyBucket } from "../accounts/move-bucket";
import type { AppEnv } from "../app-env";
import { findById } from "../auth/accounts";
import { requireAuth } from "../auth/middleware";
import { readJson } from "../http";

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

// GET /api/admin/groups/:id/stats: one group object's counts (members, log
// entries in SQLite, fan-out, archived pages and their bytes; docs/archive.md).
adminRoutes.get("/groups/:id/stats", async (c) => {
  const groupId = c.req.param("id");
  if (!isEntityId(groupId)) throw new AppError("invalid_field", "not a group id");
  const stats = await c.env.GROUPS.get(c.env.GROUPS.idFromName(groupId))
    .stats()
    .catch(() => null);
  if (!stats) throw new AppError("unknown_group", "no such group");
  return c.json({ groupId, ...stats });
});

// POST /api/admin/buckets/:bucket/:step {from, to}: one step of moving a
// bucket of accounts to another shard (accounts/move-bucket.ts, whose header
// gives the order; docs/operations.md). `remove` is refused while the map
// still sends the bucket to `from`.
adminRoutes.post("/buckets/:bucket/:step", async (c) => {
  const bucket = Number(c.req.param("bucket"));
  if (!Number.isInteger(bucket) || bucket < 0 || bucket >= BUCKETS) {
    throw new AppError("invalid_field", `bucket must be an integer from 0 to ${BUCKETS - 1}`);
  }
  const body = (await readJson(c)) as { from?: unknown; to?: unknown };
  const isShard = (v: unknown): v is Shard => typeof v === "string" && (SHARDS as readonly string[]).includes(v);
  if (!isShard(body.from) || !isShard(body.to) || body.from === body.to) {
    throw new AppError("invalid_field", `from and to must be two of ${SHARDS.join(", ")}`);
  }
  const from = c.env[body.from];
  const to = c.env[body.to];
  switch (c.req.param("step")) {
    case "copy":
      return c.json({ bucket, copied: await copyBucket(from, to, bucket, "copy") });
    case "catch-up":
      return c.json({ bucket, copied: await copyBucket(from, to, bucket, "catch-up") });
    case "verify":
      return c.json({ bucket, ...(await verifyBucket(from, to, bucket)) });
    case "remove":
      if (shardOfBucket(bucket) === body.from) {
        throw new AppError("not_allowed", `the map still sends bucket ${bucket} to ${body.from}`);
      }
      return c.json({ bucket, removed: await removeBucket(from, bucket) });
    default:
      throw new AppError("not_found", "steps: copy, verify, catch-up, remove");
  }
});
