// Production refuses to serve without a real JWT_SECRET: the same app, in the
// Workers runtime with the real D1, run with ENVIRONMENT="production" and
// each kind of unacceptable secret. Nothing may be written while it refuses.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { uniqueName } from "../../test/helpers";
import { dbOfName } from "../../test/shards";
import { fetchWith } from "../../test/with-env";

/** The shape scripts/dev-secret.mjs writes to .dev.vars. */
function devSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(48));
  return `dev_${btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, "x")}`;
}

function realSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(48));
  return btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, "x");
}

async function accountCount(username: string): Promise<number> {
  const row = await dbOfName(username)
    .prepare("SELECT count(*) AS n FROM users WHERE username = ?")
    .bind(username)
    .first<{
      n: number;
    }>();
  return row?.n ?? -1;
}

const refused: [string, string | undefined][] = [
  ["missing", undefined],
  ["empty", ""],
  ["shorter than 32 characters", "k3y-Th4t-is-w4y-too-sh0rt"],
  ["the development secret (dev_ prefix)", devSecret()],
  ["the Workers test suite's secret", env.JWT_SECRET],
  ["the end-to-end suite's secret", "e2e-secret-e2e-secret-e2e-secret-0123456789"],
  ["long but simple", "abababababababababababababababababababab"],
];

describe("production without a real secret", () => {
  it.each(refused)("%s: every API route answers 503 unavailable and nothing is stored", async (_name, secret) => {
    const settings = { ENVIRONMENT: "production", JWT_SECRET: secret };
    const username = uniqueName("prod");
    const register = await fetchWith(settings, "/api/auth/register", {
      method: "POST",
      body: { username, password: "correct horse battery" },
    });
    expect(register.status).toBe(503);
    const body = await register.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe("unavailable");
    expect(body.error.message).toContain("wrangler secret put JWT_SECRET --env production");
    expect(await accountCount(username)).toBe(0);

    for (const path of ["/api/health", "/api/me", "/ws"]) {
      const res = await fetchWith(settings, path, { headers: { Upgrade: "websocket" } });
      expect([path, res.status]).toEqual([path, 503]);
    }
  });

  it("serves with a random secret of 64 characters", async () => {
    const settings = { ENVIRONMENT: "production", JWT_SECRET: realSecret() };
    const username = uniqueName("prod");
    const register = await fetchWith(settings, "/api/auth/register", {
      method: "POST",
      body: { username, password: "correct horse battery" },
    });
    expect(register.status).toBe(201);
    const { token } = await register.json<{ token: string }>();
    expect((await fetchWith(settings, "/api/me", { token })).status).toBe(200);
    expect((await fetchWith(settings, "/api/health")).status).toBe(200);
    expect(await accountCount(username)).toBe(1);
  });

  it("lets development run with the development secret", async () => {
    const res = await fetchWith({ ENVIRONMENT: "development", JWT_SECRET: devSecret() }, "/api/health");
    expect(res.status).toBe(200);
  });
});
