// GET /api/health: no token. 200 {ok: true, version, environment} once D1
// answers and holds the accounts table (so a deploy that forgot
// `wrangler d1 migrations apply --remote` shows up here, not at the first
// registration); 503 {ok: false, ...} otherwise. The production secret check
// runs before this route, so a misconfigured deploy answers 503 too.

import { Hono } from "hono";
import { version } from "../../../package.json";
import type { AppEnv } from "../app-env";

export interface Health {
  ok: boolean;
  version: string;
  environment: string;
  checks: { d1: "ok" | "failing" };
}

export const healthRoutes = new Hono<AppEnv>();

healthRoutes.get("/", async (c) => {
  let d1: Health["checks"]["d1"] = "ok";
  try {
    await c.env.DB.prepare("SELECT 1 FROM users LIMIT 1").first();
  } catch (err) {
    d1 = "failing";
    console.error(JSON.stringify({ event: "health", requestId: c.get("requestId"), d1: String(err) }));
  }
  const health: Health = { ok: d1 === "ok", version, environment: c.env.ENVIRONMENT, checks: { d1 } };
  return c.json(health, health.ok ? 200 : 503);
});
