import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { api, register, uniqueName } from "../../test/helpers";
import { countAll, dbOf } from "../../test/shards";
import { PBKDF2_ITERATIONS } from "./password";

function claimsOf(token: string): Record<string, unknown> {
  const part = token.split(".")[1] ?? "";
  return JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/")));
}

function base64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

describe("register", () => {
  it("creates an account and answers a token and the user", async () => {
    const username = uniqueName("Alice");
    const res = await api("/api/auth/register", {
      method: "POST",
      body: { username, password: "unusual-pass-123", displayName: "Alice" },
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { token: string; user: Record<string, unknown> };
    expect(body.user).toEqual({
      id: expect.any(String),
      username: username.toLowerCase(),
      displayName: "Alice",
      about: "",
    });
    expect(body.user.id).not.toBe(username.toLowerCase());
    const me = await api("/api/me", { token: body.token });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: body.user.id, lastSeenVisibility: "everyone" });
    const row = await dbOf(String(body.user.id))
      .prepare("SELECT password_iterations, password_hash FROM users WHERE id = ?")
      .bind(body.user.id)
      .first<{ password_iterations: number; password_hash: string }>();
    expect(row?.password_iterations).toBe(PBKDF2_ITERATIONS);
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(100_000);
    expect(row?.password_hash).not.toContain("unusual-pass-123");
  });

  it("refuses a taken username, case-insensitively, and stores nothing", async () => {
    const username = uniqueName("bob");
    await register(username);
    const res = await api("/api/auth/register", {
      method: "POST",
      body: { username: username.toUpperCase(), password: "unusual-pass-123" },
    });
    expect(res.status).toBe(409);
    expect(await errorOf(res)).toBe("username_taken");
    expect(await countAll("SELECT count(*) AS n FROM users WHERE username = ?", username.toLowerCase())).toBe(1);
  });

  it.each([
    [{ username: "ab", password: "unusual-pass-123" }, "invalid_username"],
    [{ username: "has space", password: "unusual-pass-123" }, "invalid_username"],
    [{ username: "x".repeat(33), password: "unusual-pass-123" }, "invalid_username"],
    [{ username: "fine_name", password: "short" }, "invalid_password"],
    [{ username: "fine_name", password: "p".repeat(129) }, "invalid_password"],
    [{ username: 42, password: "unusual-pass-123" }, "invalid_username"],
    [{ username: "fine_name2", password: "unusual-pass-123", displayName: "" }, "invalid_field"],
    [[1, 2], "invalid_body"],
  ])("refuses %j with %s and stores nothing", async (body, code) => {
    const before = await countAll("SELECT count(*) AS n FROM users");
    const res = await api("/api/auth/register", { method: "POST", body });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe(code);
    expect(await countAll("SELECT count(*) AS n FROM users")).toBe(before);
  });

  it("answers 400 for a body that is not JSON", async () => {
    const res = await api("/api/auth/register", { method: "POST", body: "{nope" });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe("invalid_json");
  });

  it("answers 413 for a huge body", async () => {
    const res = await api("/api/auth/register", { method: "POST", body: { username: "x".repeat(100_000) } });
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toBe("too_large");
  });
});

describe("login", () => {
  it("logs in with the right password, in any case of the username", async () => {
    const username = uniqueName("carol");
    const { user } = await register(username, "s3cret-pass");
    const res = await api("/api/auth/login", {
      method: "POST",
      body: { username: username.toUpperCase(), password: "s3cret-pass" },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; user: { id: string } };
    expect(body.user.id).toBe(user.id);
    expect((await api("/api/me", { token: body.token })).status).toBe(200);
  });

  it("gives one answer for an unknown user and a wrong password", async () => {
    const username = uniqueName("dave");
    await register(username, "s3cret-pass");
    const wrong = await api("/api/auth/login", { method: "POST", body: { username, password: "not-it-at-all" } });
    const unknown = await api("/api/auth/login", {
      method: "POST",
      body: { username: uniqueName("ghost"), password: "not-it-at-all" },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
  });

  it("answers 429 after 10 failures, even with the right password", async () => {
    const username = uniqueName("erin");
    await register(username, "s3cret-pass");
    for (let i = 0; i < 10; i++) {
      const res = await api("/api/auth/login", { method: "POST", body: { username, password: `wrong-${i}-pass` } });
      expect(res.status).toBe(401);
    }
    const blocked = await api("/api/auth/login", { method: "POST", body: { username, password: "s3cret-pass" } });
    expect(blocked.status).toBe(429);
    expect(await errorOf(blocked)).toBe("too_many_attempts");
    expect(Number(blocked.headers.get("Retry-After"))).toBeGreaterThan(0);
    // Another username is not affected.
    const other = uniqueName("frank");
    await register(other, "s3cret-pass");
    const ok = await api("/api/auth/login", { method: "POST", body: { username: other, password: "s3cret-pass" } });
    expect(ok.status).toBe(200);
  });
});

describe("tokens", () => {
  async function forge(claims: Record<string, unknown>, opts: { alg?: string; secret?: string } = {}) {
    const secret = new TextEncoder().encode(opts.secret ?? env.JWT_SECRET);
    return new SignJWT(claims).setProtectedHeader({ alg: opts.alg ?? "HS256" }).sign(secret);
  }

  it("refuses no token, garbage, a tampered token and alg none", async () => {
    const { token, user } = await register();
    expect((await api("/api/me")).status).toBe(401);
    expect((await api("/api/me", { token: "garbage" })).status).toBe(401);
    const [h, p, s] = token.split(".");
    const tampered = `${h}.${base64url({ ...claimsOf(token), sub: "someoneelse00000" })}.${s}`;
    expect((await api("/api/me", { token: tampered })).status).toBe(401);
    const none = `${base64url({ alg: "none", typ: "JWT" })}.${p}.`;
    expect((await api("/api/me", { token: none })).status).toBe(401);
    const res = await api("/api/me", { token: none });
    expect(await errorOf(res)).toBe("unauthorized");
    expect(user.id).toBeTruthy();
  });

  it("refuses an expired token and one signed with another key", async () => {
    const { token } = await register();
    const claims = claimsOf(token);
    const now = Math.floor(Date.now() / 1000);
    const expired = await forge({ ...claims, iat: now - 100, nbf: now - 100, exp: now - 10 });
    expect((await api("/api/me", { token: expired })).status).toBe(401);
    const otherKey = await forge(claims, { secret: "another-secret-another-secret-0123456789" });
    expect((await api("/api/me", { token: otherKey })).status).toBe(401);
    const valid = await forge(claims);
    expect((await api("/api/me", { token: valid })).status).toBe(200);
  });

  it("logout revokes the token", async () => {
    const { token } = await register();
    expect((await api("/api/auth/logout", { method: "POST", token })).status).toBe(204);
    const res = await api("/api/me", { token });
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toBe("unauthorized");
  });
});
