// Attacks on authentication: forged and misused tokens, brute force from one
// address, registration floods. Each checks the answer and that nothing changed.

import { env } from "cloudflare:workers";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { LOGIN_FAILURES_PER_ADDRESS_MAX, REGISTRATIONS_PER_ADDRESS_MAX } from "../../shared/limits";
import { api, register, uniqueName } from "../../test/helpers";
import { dbOf, dbOfName } from "../../test/shards";

function claimsOf(token: string): Record<string, unknown> {
  const part = token.split(".")[1] ?? "";
  return JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/")));
}

async function signWith(claims: Record<string, unknown>, alg: string, key: CryptoKey | Uint8Array) {
  return new SignJWT(claims).setProtectedHeader({ alg, typ: "JWT" }).sign(key);
}

const secret = () => new TextEncoder().encode(env.JWT_SECRET);

describe("forged tokens", () => {
  it("refuses another HMAC algorithm with the right key (the algorithm is pinned)", async () => {
    const { token } = await register();
    const forged = await signWith(claimsOf(token), "HS512", secret());
    expect((await api("/api/me", { token: forged })).status).toBe(401);
  });

  it("refuses an RS256 token whose public key is offered as the secret (algorithm confusion)", async () => {
    const { token } = await register();
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    const forged = await signWith(claimsOf(token), "RS256", privateKey);
    expect((await api("/api/me", { token: forged })).status).toBe(401);
    const jwk = await exportJWK(publicKey);
    const confused = await signWith(claimsOf(token), "HS256", new TextEncoder().encode(JSON.stringify(jwk)));
    expect((await api("/api/me", { token: confused })).status).toBe(401);
  });

  it("refuses a token that is not yet valid, or for another issuer or audience", async () => {
    const { token } = await register();
    const claims = claimsOf(token);
    const now = Math.floor(Date.now() / 1000);
    for (const bad of [
      { ...claims, nbf: now + 3600 },
      { ...claims, iss: "someone-else" },
      { ...claims, aud: "another-api" },
      { ...claims, sid: "0000000000000000" },
      { ...claims, exp: undefined },
    ]) {
      const forged = await signWith(bad, "HS256", secret());
      const res = await api("/api/me", { token: forged });
      expect(res.status).toBe(401);
    }
    // The same claims re-signed correctly are accepted: the checks above are what refused them.
    expect((await api("/api/me", { token: await signWith(claims, "HS256", secret()) })).status).toBe(200);
  });

  it("refuses the token of a deleted user", async () => {
    const { token, user } = await register();
    expect((await api("/api/me", { token })).status).toBe(200);
    const db = dbOf(user.id);
    await db.batch([
      db.prepare("DELETE FROM sessions WHERE user_id = ?").bind(user.id),
      db.prepare("DELETE FROM users WHERE id = ?").bind(user.id),
    ]);
    expect((await api("/api/me", { token })).status).toBe(401);
    expect((await api(`/ws?token=${token}`, { headers: { Upgrade: "websocket" } })).status).toBe(401);
  });
});

describe("throttles by client address", () => {
  it("blocks an address after many failed logins across usernames; other addresses go on", async () => {
    const address = "203.0.113.7";
    const victim = uniqueName("victim");
    await register(victim, "right-password");
    for (let i = 0; i < LOGIN_FAILURES_PER_ADDRESS_MAX; i++) {
      const res = await api("/api/auth/login", {
        method: "POST",
        body: { username: `${uniqueName("guess")}${i}`.slice(0, 32), password: "wrong-password" },
        headers: { "CF-Connecting-IP": address },
      });
      expect(res.status).toBe(401);
    }
    const blocked = await api("/api/auth/login", {
      method: "POST",
      body: { username: victim, password: "right-password" },
      headers: { "CF-Connecting-IP": address },
    });
    expect(blocked.status).toBe(429);
    const elsewhere = await api("/api/auth/login", {
      method: "POST",
      body: { username: victim, password: "right-password" },
      headers: { "CF-Connecting-IP": "198.51.100.9" },
    });
    expect(elsewhere.status).toBe(200);
  }, 60_000);

  it("limits registrations per address and stores nothing past the limit", async () => {
    const address = "203.0.113.99";
    for (let i = 0; i < REGISTRATIONS_PER_ADDRESS_MAX; i++) {
      const res = await api("/api/auth/register", {
        method: "POST",
        body: { username: uniqueName("flood"), password: "unusual-pass-123" },
        headers: { "CF-Connecting-IP": address },
      });
      expect(res.status).toBe(201);
    }
    const username = uniqueName("flood");
    const res = await api("/api/auth/register", {
      method: "POST",
      body: { username, password: "unusual-pass-123" },
      headers: { "CF-Connecting-IP": address },
    });
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("too_many_attempts");
    const row = await dbOfName(username).prepare("SELECT 1 FROM users WHERE username = ?").bind(username).first();
    expect(row).toBeNull();
  }, 60_000);
});
