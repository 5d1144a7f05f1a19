// Linked devices, in the real Workers runtime: the list, logging a device out
// remotely (its token refused, its sockets closed at once), the limit of five
// sessions per user, and bad input that changes nothing.

import { describe, expect, it } from "vitest";
import { SESSION_TOUCH_MS, SESSIONS_PER_USER_MAX } from "../../shared/limits";
import type { AuthAnswer, SessionInfo } from "../../shared/protocol";
import { errorCode } from "../../test/groups";
import { api, connect, register, uniqueName } from "../../test/helpers";
import { dbOf } from "../../test/shards";

const PASSWORD = "correct horse battery";

async function login(username: string, extra: { device?: string; agent?: string } = {}): Promise<AuthAnswer> {
  const body = { username, password: PASSWORD, ...(extra.device ? { device: extra.device } : {}) };
  const headers: Record<string, string> = extra.agent ? { "User-Agent": extra.agent } : {};
  const res = await api("/api/auth/login", { method: "POST", body, headers });
  if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
  return res.json();
}

async function sessions(token: string): Promise<SessionInfo[]> {
  const res = await api("/api/me/sessions", { token });
  if (res.status !== 200) throw new Error(`sessions failed: ${res.status}`);
  return ((await res.json()) as { sessions: SessionInfo[] }).sessions;
}

function sid(token: string): string {
  const payload = token.split(".")[1] ?? "";
  return (JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { sid: string }).sid;
}

describe("linked devices", { timeout: 30_000 }, () => {
  it("lists each session with its device name, times, whether it is online and which is the caller's", async () => {
    const username = uniqueName();
    const reg = await api("/api/auth/register", {
      method: "POST",
      body: { username, password: PASSWORD, device: "Alice's phone" },
    });
    const phone = (await reg.json()) as AuthAnswer;
    const laptop = await login(username, { agent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0" });
    const socket = await connect(phone.token);
    const list = await sessions(laptop.token);
    expect(list).toEqual([
      {
        id: sid(laptop.token),
        device: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
        createdAt: expect.any(Number),
        lastActiveAt: expect.any(Number),
        online: false,
        current: true,
      },
      {
        id: sid(phone.token),
        device: "Alice's phone",
        createdAt: expect.any(Number),
        lastActiveAt: expect.any(Number),
        online: true,
        current: false,
      },
    ]);
    socket.close();
  });

  it("notes activity at most every few minutes", async () => {
    const alice = await register();
    const id = sid(alice.token);
    const old = Date.now() - SESSION_TOUCH_MS - 1000;
    await dbOf(alice.user.id)
      .prepare("UPDATE sessions SET created_at = ?, last_active_at = ? WHERE id = ?")
      .bind(old, old, id)
      .run();
    const [before] = await sessions(alice.token); // this request is the activity
    expect(before?.lastActiveAt).toBeGreaterThan(old);
    const recent = Date.now() - 1000;
    await dbOf(alice.user.id).prepare("UPDATE sessions SET last_active_at = ? WHERE id = ?").bind(recent, id).run();
    const [kept] = await sessions(alice.token); // within the interval: nothing written
    expect(kept?.lastActiveAt).toBe(recent);
  });

  it("logging out another device revokes its token and closes its sockets at once", async () => {
    const alice = await register();
    const other = await login(alice.user.username, { device: "tablet" });
    const socket = await connect(other.token);
    await socket.speak();
    const res = await api(`/api/me/sessions/${sid(other.token)}`, { method: "DELETE", token: alice.token });
    expect(res.status).toBe(204);
    expect((await socket.waitClosed()).code).toBe(4001);
    expect((await api("/api/me", { token: other.token })).status).toBe(401);
    expect((await sessions(alice.token)).map((s) => s.id)).toEqual([sid(alice.token)]);
  });

  it("at most five sessions: a sixth login logs out the oldest and closes its socket", async () => {
    const alice = await register();
    const first = await connect(alice.token);
    await first.speak();
    const logins: AuthAnswer[] = [];
    for (let i = 0; i < SESSIONS_PER_USER_MAX; i++) logins.push(await login(alice.user.username, { device: `d${i}` }));
    expect((await first.waitClosed()).code).toBe(4001);
    expect((await api("/api/me", { token: alice.token })).status).toBe(401);
    const list = await sessions(logins[0]?.token ?? "");
    expect(list.map((s) => s.device)).toEqual(["d4", "d3", "d2", "d1", "d0"]);
    for (const answer of logins) expect((await api("/api/me", { token: answer.token })).status).toBe(200);
  });

  it("refuses unknown sessions, someone else's and bad device names, changing nothing", async () => {
    const alice = await register();
    const bob = await register();
    const cases: [Response, number, string][] = [
      [
        await api(`/api/me/sessions/${sid(bob.token)}`, { method: "DELETE", token: alice.token }),
        404,
        "unknown_session",
      ],
      [
        await api("/api/me/sessions/zzzzzzzzzzzzzzzz", { method: "DELETE", token: alice.token }),
        404,
        "unknown_session",
      ],
      [await api("/api/me/sessions/nope", { method: "DELETE", token: alice.token }), 404, "unknown_session"],
      [
        await api("/api/auth/login", {
          method: "POST",
          body: { username: alice.user.username, password: PASSWORD, device: "x".repeat(65) },
        }),
        400,
        "invalid_field",
      ],
      [
        await api("/api/auth/login", {
          method: "POST",
          body: { username: alice.user.username, password: PASSWORD, device: "two\nlines" },
        }),
        400,
        "invalid_field",
      ],
      [await api("/api/me/sessions"), 401, "unauthorized"],
    ];
    for (const [res, status, code] of cases) {
      expect(res.status).toBe(status);
      expect(await errorCode(res)).toBe(code);
    }
    expect((await api("/api/me", { token: bob.token })).status).toBe(200);
    expect((await sessions(alice.token)).map((s) => s.id)).toEqual([sid(alice.token)]);
    expect((await sessions(bob.token)).map((s) => s.id)).toEqual([sid(bob.token)]);
  });
});
