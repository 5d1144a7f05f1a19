// D1 failing during login, registration and the session check: the answer is
// 503 `unavailable` with a Retry-After (never a 401 that would log a device
// out, never a 500), nothing is half-written, an outage does not count as a
// failed login, and everything works again once D1 answers. Accounts are
// sharded: the fault is in the shard that holds the user (src/test/shards.ts).

import { describe, expect, it } from "vitest";
import { LOGIN_FAILURES_MAX } from "../../shared/limits";
import { api, register, uniqueName } from "../../test/helpers";
import { dbOf, dbOfName, faultyShard } from "../../test/shards";
import { fetchWith } from "../../test/with-env";

const PASSWORD = "correct horse battery";

async function expectUnavailable(res: Response): Promise<void> {
  expect(res.status).toBe(503);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unavailable");
  expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(0);
}

async function sessionsOf(userId: string): Promise<number> {
  const row = await dbOf(userId)
    .prepare("SELECT count(*) AS n FROM sessions WHERE user_id = ?")
    .bind(userId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

async function usersNamed(username: string): Promise<number> {
  const row = await dbOfName(username)
    .prepare("SELECT count(*) AS n FROM users WHERE username = ?")
    .bind(username)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

const login = (username: string, overrides: Partial<Record<keyof Env, unknown>> = {}) =>
  fetchWith(overrides, "/api/auth/login", {
    method: "POST",
    body: { username, password: PASSWORD },
  });

describe("D1 fails during login", () => {
  it("reading the account: 503, and an outage is not a failed login (no lockout)", async () => {
    const { user } = await register();
    const down = faultyShard(user.id, (sql) => sql.includes("FROM users WHERE username"));
    // More attempts than the failed-login limit: none of them may count against the user.
    for (let i = 0; i <= LOGIN_FAILURES_MAX; i++) await expectUnavailable(await login(user.username, down.overrides));
    expect(down.failures).toBe(LOGIN_FAILURES_MAX + 1);
    expect(await sessionsOf(user.id)).toBe(1);
    const back = await login(user.username);
    expect(back.status).toBe(200);
    expect(await sessionsOf(user.id)).toBe(2);
  });

  it("writing the session, before it commits: 503, no session, no token; the retry logs in", async () => {
    const { user } = await register();
    const down = faultyShard(user.id, (sql) => sql.startsWith("INSERT INTO sessions"));
    await expectUnavailable(await login(user.username, down.overrides));
    expect(down.failures).toBe(1);
    expect(await sessionsOf(user.id)).toBe(1);
    const retry = await login(user.username);
    expect(retry.status).toBe(200);
    const { token } = (await retry.json()) as { token: string };
    expect((await api("/api/me", { token })).status).toBe(200);
  });

  it("writing the session, answer lost after it committed: 503; the orphan session is never handed out", async () => {
    const { user } = await register();
    const down = faultyShard(user.id, (sql) => sql.startsWith("INSERT INTO sessions"), "after");
    await expectUnavailable(await login(user.username, down.overrides));
    // The row exists (D1 committed) but no client holds a token for it; it expires
    // with TOKEN_TTL and counts toward the five devices until the next login trims it.
    expect(await sessionsOf(user.id)).toBe(2);
    expect((await login(user.username)).status).toBe(200);
  });
});

describe("D1 fails during registration", () => {
  // If D1 commits and only the answer is lost, the retry meets the account (409
  // username_taken) and the person logs in with the password just chosen.
  it("the account and its session are one transaction: a failure leaves neither", async () => {
    const username = uniqueName("reg");
    const down = faultyShard({ username }, (sql) => sql.startsWith("INSERT INTO sessions"));
    const res = await fetchWith(down.overrides, "/api/auth/register", {
      method: "POST",
      body: { username, password: PASSWORD },
    });
    await expectUnavailable(res);
    expect(await usersNamed(username)).toBe(0);
    // The retry meets no half-made account: it registers.
    const retry = await api("/api/auth/register", { method: "POST", body: { username, password: PASSWORD } });
    expect(retry.status).toBe(201);
    expect(await usersNamed(username)).toBe(1);
  });
});

describe("D1 fails during the session check", () => {
  it("an authenticated request gets 503, not 401: a device is not logged out by an outage", async () => {
    const { token, user } = await register();
    const down = faultyShard(user.id, (sql) => sql.includes("FROM sessions s JOIN users"));
    await expectUnavailable(await fetchWith(down.overrides, "/api/me", { token }));
    expect(down.failures).toBe(1);
    const me = await api("/api/me", { token });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { id: string }).id).toBe(user.id);
  });

  it("a failure that is not an outage (a bug) stays a 500 `internal`", async () => {
    const { token, user } = await register();
    const buggy = {
      prepare: () => {
        throw new Error("D1_ERROR: no such column: oops");
      },
    } as unknown as D1Database;
    const res = await fetchWith({ [faultyShard(user.id, () => false).shard]: buggy }, "/api/me", { token });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("internal");
  });
});
