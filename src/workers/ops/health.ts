// GET /api/health: no token. 200 {ok: true, version, environment} once every
// account shard of D1 (shared/shards.ts) answers and holds the accounts table (so a deploy that forgot
// `wrangler d1 migrations apply --remote` shows up here, not at the first
// registration); 503 {ok: false, ...} otherwise, naming the failing shards. The production secret check
// runs before this route, so a misconfigured deploy answers 503 too.

import { Hono } from "hono";
import { version } from "../../../package.json";
import { allShards, type Shard } from "../../shared/shards";
import type { AppEnv } from "../app-env";

export interface Health {
  ok: boolean;
  version: string;
  environment: string;
  /** `failing`: the shards that did not answer (only when some did not). */
  checks: { d1: "ok" | "failing"; failing?: Shard[] };
}

export const healthRoutes = new Hono<AppEnv>();

healthRoutes.get("/", async (c) => {
  const failing: Shard[] = [];
  await Promise.all(
    allShards(c.env).map(async ([shard, db]) => {
      try {
        await db.prepare("SELECT 1 FROM users LIMIT 1").first();
      } catch (err) {
        failing.push(shard);
        console.error(JSON.stringify({ event: "health", requestId: c.get("requestId"), shard, d1: String(err) }));
      }
    }),
  );
  const checks: Health["checks"] = failing.length === 0 ? { d1: "ok" } : { d1: "failing", failing: failing.sort() };
  const health: Health = { ok: failing.length === 0, version, environment: c.env.ENVIRONMENT, checks };
  return c.json(health, health.ok ? 200 : 503);
});
