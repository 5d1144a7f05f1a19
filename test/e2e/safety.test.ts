// User safety over real sockets against `wrangler dev`: blocking (one tick,
// no presence, unblock), linked devices (list, remote logout, the five-session
// limit closing the oldest socket) and group message info with a member who
// left, each with its refusals.

import { describe, expect, inject, it } from "vitest";
import type { AuthAnswer, Group, Presence, ReaderReceipt, SessionInfo } from "../../src/shared/protocol";
import { http, RawSocket, registerUser } from "../support/raw-socket";

const base = inject("baseUrl");

async function send(socket: RawSocket, chat: string, text: string, clientId: string) {
  socket.send({ type: "send", clientId, chat, text });
  return socket.next("sent", (f) => f.clientId === clientId, 15_000);
}

async function login(user: AuthAnswer, device: string): Promise<AuthAnswer> {
  const res = await http<AuthAnswer>(base, "/api/auth/login", {
    method: "POST",
    body: { username: user.user.username, password: "e2e-password-123", device },
  });
  if (res.status !== 200) throw new Error(`login ${res.status}`);
  return res.body;
}

describe("blocking end to end", () => {
  it("the blocked user's messages stay on one tick and it sees no presence; unblock restores what follows", async () => {
    const [ann, ben] = await Promise.all([registerUser(base, "ann"), registerUser(base, "ben")]);
    const a = await RawSocket.open(base, ann.token);
    const b = await RawSocket.open(base, ben.token);
    expect(
      (await http(base, "/api/me/blocked", { method: "POST", token: ann.token, body: { userId: ben.user.id } })).status,
    ).toBe(200);
    const dropped = await send(b, `u:${ann.user.id}`, "hello?", "m1");
    expect(dropped.type).toBe("sent");
    const presence = await http<Presence>(base, `/api/users/${ann.user.id}/presence`, { token: ben.token });
    expect(presence.body).toEqual({ online: false, lastSeen: null });
    // A control message from someone else arrives; ben's never does, and no receipt comes back.
    const cat = await registerUser(base, "cat");
    const c = await RawSocket.open(base, cat.token);
    const control = await send(c, `u:${ann.user.id}`, "control", "c1");
    const seen = await a.next("message", (f) => f.message.id === control.id, 15_000);
    a.send({ type: "received", ids: [seen.message.id] });
    await c.next("receipt", (f) => f.ids.includes(control.id), 15_000);
    expect(a.of("message").map((f) => f.message.id)).toEqual([control.id]);
    expect(b.of("receipt")).toEqual([]);
    const anns = await http<{ messages: unknown[] }>(base, `/api/chats/u:${ben.user.id}/messages`, {
      token: ann.token,
    });
    expect(anns.body.messages).toEqual([]);

    // Bad blocks change nothing.
    for (const [body, status] of [
      [{ userId: ann.user.id }, 400],
      [{ userId: "zzzzzzzzzzzzzzzz" }, 404],
      [{}, 400],
    ] as const) {
      expect((await http(base, "/api/me/blocked", { method: "POST", token: ann.token, body })).status).toBe(status);
    }
    const list = await http<{ blocked: { user: { id: string } }[] }>(base, "/api/me/blocked", { token: ann.token });
    expect(list.body.blocked.map((e) => e.user.id)).toEqual([ben.user.id]);

    expect((await http(base, `/api/me/blocked/${ben.user.id}`, { method: "DELETE", token: ann.token })).status).toBe(
      204,
    );
    const after = await send(b, `u:${ann.user.id}`, "and now?", "m2");
    await a.next("message", (f) => f.message.id === after.id, 15_000);
    expect((await http<Presence>(base, `/api/users/${ann.user.id}/presence`, { token: ben.token })).body.online).toBe(
      true,
    );
    for (const s of [a, b, c]) s.close();
  });
});

describe("linked devices end to end", () => {
  it("lists devices; a remote logout and the sixth login close the sockets of the sessions they end", async () => {
    const ann = await registerUser(base, "ann");
    // Each device syncs on connect, as clients do. (Under wrangler dev, a socket the
    // server closes before its client sent any frame never completes its close.)
    const first = await RawSocket.open(base, ann.token);
    await first.sync(0);
    const tablet = await login(ann, "tablet");
    const t = await RawSocket.open(base, tablet.token);
    await t.sync(0);
    const list = await http<{ sessions: SessionInfo[] }>(base, "/api/me/sessions", { token: ann.token });
    expect(list.body.sessions.map((s) => [s.device, s.online, s.current])).toEqual([
      ["tablet", true, false],
      [expect.any(String), true, true],
    ]);
    const tabletId = list.body.sessions[0]?.id;
    expect((await http(base, `/api/me/sessions/${tabletId}`, { method: "DELETE", token: ann.token })).status).toBe(204);
    await t.until((s) => s.closed, 10_000, "the tablet's socket to close");
    expect(t.closed?.code).toBe(4001);
    expect((await http(base, "/api/me", { token: tablet.token })).status).toBe(401);
    expect((await http(base, `/api/me/sessions/${tabletId}`, { method: "DELETE", token: ann.token })).status).toBe(404);

    // Five more logins: the first session (the registration) is the oldest of six.
    const later: AuthAnswer[] = [];
    for (let i = 0; i < 5; i++) later.push(await login(ann, `device ${i}`));
    await first.until((s) => s.closed, 10_000, "the oldest socket to close");
    expect(first.closed?.code).toBe(4001);
    expect((await http(base, "/api/me", { token: ann.token })).status).toBe(401);
    const now = await http<{ sessions: SessionInfo[] }>(base, "/api/me/sessions", { token: later[4]?.token });
    expect(now.body.sessions.map((s) => s.device)).toEqual([
      "device 4",
      "device 3",
      "device 2",
      "device 1",
      "device 0",
    ]);
  });
});

describe("group message info end to end", () => {
  it("lists each member's delivered and read times, keeps a member who left, refuses others", async () => {
    const users = await Promise.all(["ann", "ben", "cat"].map((p) => registerUser(base, p)));
    const [ann, ben, cat] = users as [AuthAnswer, AuthAnswer, AuthAnswer];
    const group = await http<Group>(base, "/api/groups", {
      method: "POST",
      token: ann.token,
      body: { name: "info", members: [ben.user.id, cat.user.id] },
    });
    const chat = `g:${group.body.id}`;
    const [a, b, c] = await Promise.all(users.map((u) => RawSocket.open(base, u.token)));
    const sent = await send(a as RawSocket, chat, "read me", "m1");
    await (b as RawSocket).next("message", (f) => f.message.id === sent.id, 15_000);
    await (c as RawSocket).next("message", (f) => f.message.id === sent.id, 15_000);
    b?.send({ type: "read", chat, upTo: sent.id });
    c?.send({ type: "received", ids: [sent.id] });
    await a?.until((s) => s.of("receipt").length >= 2, 15_000, "both receipts");
    await http(base, `/api/groups/${group.body.id}/members/${cat.user.id}`, { method: "DELETE", token: cat.token });
    const info = await http<{ receipts: ReaderReceipt[] }>(base, `/api/chats/${chat}/messages/${sent.id}/receipts`, {
      token: ann.token,
    });
    expect(info.status).toBe(200);
    expect(info.body.receipts).toEqual([
      { user: ben.user.id, deliveredAt: expect.any(Number), readAt: expect.any(Number) },
      { user: cat.user.id, deliveredAt: expect.any(Number), readAt: null },
    ]);
    const refused = await http<{ error: { code: string } }>(base, `/api/chats/${chat}/messages/${sent.id}/receipts`, {
      token: ben.token,
    });
    expect([refused.status, refused.body.error.code]).toEqual([403, "not_your_message"]);
    for (const s of [a, b, c]) s?.close();
  });
});
