// Login throttling that stops guessing without locking the owner out (issue
// 21, row 2): failures count per (username, address), per address and per
// account; the guessing pair is locked (the contract's 429, even with the
// right password), the owner elsewhere is not; a lockout that comes back
// lasts longer each time; many addresses together lock the account to
// devices that never logged in to it, and a known device still passes.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LOGIN_FAILURES_MAX, LOGIN_FAILURES_PER_ACCOUNT_MAX, LOGIN_WINDOW_MS } from "../../shared/limits";
import { api, register, uniqueName } from "../../test/helpers";

const PASSWORD = "the owner's own words";

function login(username: string, password: string, headers: Record<string, string> = {}) {
  return api("/api/auth/login", { method: "POST", body: { username, password }, headers });
}

/** The known-device cookie a login or registration set, as a Cookie header. */
function cookieOf(res: Response): string {
  const set = res.headers.get("Set-Cookie") ?? "";
  expect(set).toMatch(/^known_device=[^;]+;.*HttpOnly/);
  expect(set).toContain("SameSite=Strict");
  return set.split(";")[0] ?? "";
}

describe("login throttling", { timeout: 60_000 }, () => {
  it("ten failures from one address lock that address out, not the owner elsewhere", async () => {
    const username = uniqueName("owner");
    await register(username, PASSWORD);
    const guesser = { "CF-Connecting-IP": "203.0.113.50" };
    for (let i = 0; i < LOGIN_FAILURES_MAX; i++)
      expect((await login(username, `guess-${i}-wrong`, guesser)).status).toBe(401);
    const locked = await login(username, PASSWORD, guesser);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("Retry-After"))).toBeGreaterThan(0);
    // The owner, from another address and without any cookie: in.
    expect((await login(username, PASSWORD, { "CF-Connecting-IP": "198.51.100.20" })).status).toBe(200);
    // The guessing address stays limited, even with the right password.
    expect((await login(username, PASSWORD, guesser)).status).toBe(429);
  });

  it("many addresses together lock the account to unknown devices; a device that logged in before passes", async () => {
    const username = uniqueName("target");
    const registered = await api("/api/auth/register", { method: "POST", body: { username, password: PASSWORD } });
    const known = cookieOf(registered);
    for (let i = 0; i < LOGIN_FAILURES_PER_ACCOUNT_MAX; i++) {
      const res = await login(username, "a wrong guess", { "CF-Connecting-IP": `192.0.2.${i + 1}` });
      expect(res.status).toBe(401);
    }
    const stranger = await login(username, PASSWORD, { "CF-Connecting-IP": "198.51.100.77" });
    expect(stranger.status).toBe(429);
    expect(stranger.headers.get("Set-Cookie")).toBeNull();
    // The same fresh address with the device's cookie: in, with a new cookie.
    const owner = await login(username, PASSWORD, { "CF-Connecting-IP": "198.51.100.77", Cookie: known });
    expect(owner.status).toBe(200);
    cookieOf(owner);
    // A cookie of another account, or a forged one, does not pass.
    const other = await api("/api/auth/register", {
      method: "POST",
      body: { username: uniqueName("other"), password: PASSWORD },
    });
    const foreign = await login(username, PASSWORD, { "CF-Connecting-IP": "198.51.100.78", Cookie: cookieOf(other) });
    expect(foreign.status).toBe(429);
    const forged = await login(username, PASSWORD, {
      "CF-Connecting-IP": "198.51.100.79",
      Cookie: `known_device=${known.split("=")[1]?.split(".")[0]}.AAAA`,
    });
    expect(forged.status).toBe(429);
  });

  it("a lockout that comes back lasts twice as long each time", async () => {
    const stub = env.THROTTLE.get(env.THROTTLE.idFromName(`test-grow:${uniqueName()}`));
    const rule = { limit: LOGIN_FAILURES_MAX, windowMs: LOGIN_WINDOW_MS, grow: true };
    const t0 = 1_000_000_000_000;
    const trip = async (at: number) => {
      for (let i = 0; i < LOGIN_FAILURES_MAX; i++) await stub.record(rule, at);
      return (await stub.check(rule, at)).retryAfterMs;
    };
    // The first: the rest of the window (the contract's promise).
    expect(await trip(t0)).toBe(LOGIN_WINDOW_MS);
    expect((await stub.check(rule, t0 + LOGIN_WINDOW_MS - 1)).blocked).toBe(true);
    const t1 = t0 + LOGIN_WINDOW_MS;
    expect((await stub.check(rule, t1)).blocked).toBe(false);
    // Then twice the window, then four times, from the failure that tripped it.
    expect(await trip(t1)).toBe(2 * LOGIN_WINDOW_MS);
    const t2 = t1 + 2 * LOGIN_WINDOW_MS;
    expect((await stub.check(rule, t2 - 1)).blocked).toBe(true);
    expect(await trip(t2)).toBe(4 * LOGIN_WINDOW_MS);
    // A limit without growth (registrations, groups) stays one window.
    const flat = env.THROTTLE.get(env.THROTTLE.idFromName(`test-flat:${uniqueName()}`));
    const flatRule = { limit: 2, windowMs: 1000 };
    for (const at of [t0, t0, t0 + 1000, t0 + 1000]) await flat.record(flatRule, at);
    expect((await flat.check(flatRule, t0 + 1000)).retryAfterMs).toBe(1000);
  });
});
