// One set of input rules (issue 21, row 8), applied through the Worker to
// every body that takes a name, a password or unknown keys, and through a
// socket to message text. Each refusal is checked for its code and for
// nothing stored. The rules themselves: shared/text-rules.test.ts.

import { describe, expect, it } from "vitest";
import { BAD_NAMES } from "../test/bad-names";
import { errorCode } from "../test/groups";
import { api, connect, register, uniqueName, userStub } from "../test/helpers";
import { countAll } from "../test/shards";

describe("applied to every body and frame", { timeout: 30_000 }, () => {
  it("group names follow the name rules and unknown keys are refused; nothing is created", async () => {
    const alice = await register();
    const bodies: string[] = [
      ...BAD_NAMES.map((name) => JSON.stringify({ name, members: [] })),
      JSON.stringify({ name: "fine", members: [], isPublic: true }),
      '{"name":"fine","__proto__":{"admin":true}}',
    ];
    for (const body of bodies) {
      const res = await api("/api/groups", { method: "POST", token: alice.token, body });
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe("invalid_field");
    }
    const chats = (await (await api("/api/chats", { token: alice.token })).json()) as { chats: unknown[] };
    expect(chats.chats).toEqual([]);
  });

  it("unknown keys are refused on every body", async () => {
    const alice = await register();
    const cases: [string, string, unknown][] = [
      ["POST", "/api/auth/register", { username: uniqueName(), password: "a long password", admin: true }],
      ["POST", "/api/auth/login", { username: alice.user.username, password: "correct horse battery", remember: 1 }],
      ["PATCH", "/api/me", { displayName: "Al", username: "root" }],
      ["POST", "/api/me/blocked", { userId: alice.user.id, silently: true }],
      ["POST", "/api/groups/0123456789abcdef/members", { userId: alice.user.id, role: "admin" }],
      ["PUT", `/api/chats/u:${alice.user.id}/mute`, { until: "always", everywhere: true }],
      ["POST", "/api/me/push", { endpoint: "https://push.example.com/x", keys: {}, note: 1 }],
      ["DELETE", "/api/me/push", { endpoint: "https://push.example.com/x", all: true }],
    ];
    for (const [method, path, body] of cases) {
      const res = await api(path, { method, token: alice.token, body });
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe("invalid_field");
    }
    const me = (await (await api("/api/me", { token: alice.token })).json()) as { displayName: string };
    expect(me.displayName).toBe(alice.user.displayName);
  });

  it("registration refuses weak passwords and a username of dots; nothing is stored", async () => {
    const count = () => countAll("SELECT count(*) AS n FROM users");
    const before = await count();
    const username = uniqueName("weak");
    for (const [name, password, code] of [
      [username, username, "invalid_password"],
      [username, "        ", "invalid_password"],
      [username, "iloveyou", "invalid_password"],
      ["...", "a long password", "invalid_username"],
    ]) {
      const res = await api("/api/auth/register", { method: "POST", body: { username: name, password } });
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe(code);
    }
    expect(await count()).toBe(before);
  });

  it("message text with NUL or a lone surrogate is refused with its clientId, nothing stored", async () => {
    const alice = await register();
    const bob = await register();
    const a = await connect(alice.token);
    // JSON escapes carry what a UTF-8 frame cannot: a lone surrogate.
    a.ws.send(`{"type":"send","clientId":"n1","chat":"u:${bob.user.id}","text":"nul \\u0000 here"}`);
    a.ws.send(`{"type":"send","clientId":"s1","chat":"u:${bob.user.id}","text":"half \\ud800 pair"}`);
    expect(await a.next("error", (f) => f.clientId === "n1")).toMatchObject({ code: "invalid_field" });
    expect(await a.next("error", (f) => f.clientId === "s1")).toMatchObject({ code: "invalid_field" });
    expect(await userStub(alice.user.id).stats()).toMatchObject({ messages: 0, outbox: 0 });
    expect((await userStub(bob.user.id).stats()).messages).toBe(0);
    a.close();
  });
});
