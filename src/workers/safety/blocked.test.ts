// Blocking, in the real Workers runtime: a blocked user's one-to-one messages
// stay on one tick (answered `sent`, never delivered, no receipt, nothing that
// says so), it sees no presence, typing or picture of the blocker; groups are
// unaffected; unblocking restores what follows, not what was dropped.

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { BlockedUser, User } from "../../shared/protocol";
import { drainAlarms, rows, sendAndWait } from "../../test/actions";
import { clearAlarms, createGroup, errorCode, historyOf, settle } from "../../test/groups";
import { api, BASE, connect, register, userStub } from "../../test/helpers";
import { PNG } from "../../test/images";
import { presenceOf } from "../../test/presence-helpers";

function block(token: string, userId: unknown) {
  return api("/api/me/blocked", { method: "POST", token, body: { userId } });
}

async function blockedList(token: string): Promise<BlockedUser[]> {
  return ((await (await api("/api/me/blocked", { token })).json()) as { blocked: BlockedUser[] }).blocked;
}

describe("blocking", { timeout: 30_000 }, () => {
  it("a blocked user's messages stay on one tick: sent, never delivered, no receipt; unblock restores later ones", async () => {
    const alice = await register();
    const bob = await register();
    const a = await connect(alice.token);
    const b = await connect(bob.token);
    const early = await sendAndWait(b, `u:${alice.user.id}`, "before the block", "m0");
    await a.next("message", (f) => f.message.id === early.id);

    const res = await block(alice.token, bob.user.id);
    expect(res.status).toBe(200);
    expect(await blockedList(alice.token)).toEqual([
      { user: expect.objectContaining({ id: bob.user.id }), since: expect.any(Number) },
    ]);
    const dropped = await sendAndWait(b, `u:${alice.user.id}`, "while blocked", "m1");
    expect(dropped).toMatchObject({ type: "sent", clientId: "m1" });
    await drainAlarms(bob.user.id);
    expect((await userStub(bob.user.id).stats()).outbox).toBe(0);
    // Bob has it (one tick); alice has nothing of it, and no device of hers saw it.
    expect((await historyOf(bob.user.id, `u:${alice.user.id}` as `g:${string}`)).map((m) => m.text)).toEqual([
      "before the block",
      "while blocked",
    ]);
    expect((await historyOf(alice.user.id, `u:${bob.user.id}` as `g:${string}`)).map((m) => m.id)).toEqual([early.id]);
    expect(a.of("message").map((f) => f.message.id)).toEqual([early.id]);
    expect(b.of("receipt").filter((f) => f.ids.includes(dropped.id))).toEqual([]);
    // An edit of the dropped message later changes nothing at alice's.
    b.send({ type: "edit", clientId: "e1", id: dropped.id, text: "edited while blocked" });
    await b.next("update", (f) => f.clientId === "e1");
    await drainAlarms(bob.user.id);
    expect(await rows(alice.user.id, "SELECT * FROM held_changes")).toEqual([]);

    // Alice may not write to bob while she blocks him: refused, nothing stored. (If alice hosts the chat,
    // bob's dropped message is a row of hers too, hidden from her: docs/one-copy-per-chat.md, "Blocking".)
    const stored = (await userStub(alice.user.id).stats()).messages;
    a.send({ type: "send", clientId: "a1", chat: `u:${bob.user.id}`, text: "hi" });
    expect(await a.next("error", (f) => f.clientId === "a1")).toMatchObject({ code: "blocked" });
    expect((await userStub(alice.user.id).stats()).messages).toBe(stored);

    expect((await api(`/api/me/blocked/${bob.user.id}`, { method: "DELETE", token: alice.token })).status).toBe(204);
    expect(await blockedList(alice.token)).toEqual([]);
    const after = await sendAndWait(b, `u:${alice.user.id}`, "after the unblock", "m2");
    await a.next("message", (f) => f.message.id === after.id);
    expect((await historyOf(alice.user.id, `u:${bob.user.id}` as `g:${string}`)).map((m) => m.text)).toEqual([
      "before the block",
      "after the unblock",
    ]);
    await drainAlarms(bob.user.id);
    a.close();
    b.close();
  });

  it("groups are unaffected: the blocked user's group messages still arrive", async () => {
    const alice = await register();
    const bob = await register();
    const group = await createGroup(alice.token, "both", [bob.user.id]);
    await block(alice.token, bob.user.id);
    const b = await connect(bob.token);
    const sent = await sendAndWait(b, `g:${group.id}`, "to the group", "g1");
    await settle(group.id);
    expect((await historyOf(alice.user.id, `g:${group.id}`)).map((m) => m.id)).toContain(sent.id);
    b.close();
    await clearAlarms([group.id]);
  });

  it("the blocked user sees no presence, typing or picture of the blocker; others still do", async () => {
    const alice = await register();
    const bob = await register();
    const carol = await register();
    const upload = await exports.default.fetch(
      new Request(`${BASE}/api/me/avatar`, {
        method: "PUT",
        headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "image/png" },
        body: PNG,
      }),
    );
    expect(upload.status).toBe(200);
    const a = await connect(alice.token);
    const b = await connect(bob.token);
    b.send({ type: "subscribe", users: [alice.user.id] });
    await b.next("presence", (f) => f.user === alice.user.id && f.online);

    await block(alice.token, bob.user.id);
    // Bob, watching, is told at once that alice is gone from his view.
    await b.next("presence", (f) => f.user === alice.user.id && !f.online && f.lastSeen === null);
    expect(await presenceOf(alice.user.id, bob.token)).toEqual({ online: false, lastSeen: null });
    expect((await presenceOf(alice.user.id, carol.token)).online).toBe(true);
    const profile = (token: string) => api(`/api/users/${alice.user.username}`, { token }).then((r) => r.json<User>());
    expect(await profile(bob.token)).not.toHaveProperty("avatar");
    expect((await profile(carol.token)).avatar).toBeDefined();
    const byId = await api(`/api/users?ids=${alice.user.id},${carol.user.id}`, { token: bob.token });
    expect(((await byId.json()) as { users: User[] }).users[0]).not.toHaveProperty("avatar");
    // Typing goes neither way; carol's, sent after, arrives (the control).
    b.send({ type: "typing", chat: `u:${alice.user.id}` });
    a.send({ type: "typing", chat: `u:${bob.user.id}` });
    const c = await connect(carol.token);
    c.send({ type: "typing", chat: `u:${alice.user.id}` });
    c.send({ type: "typing", chat: `u:${bob.user.id}` });
    await a.next("typing", (f) => f.from === carol.user.id);
    await b.next("typing", (f) => f.from === carol.user.id);
    expect(a.of("typing").map((f) => f.from)).toEqual([carol.user.id]);
    expect(b.of("typing").map((f) => f.from)).toEqual([carol.user.id]);
    c.close();

    await api(`/api/me/blocked/${bob.user.id}`, { method: "DELETE", token: alice.token });
    await b.next("presence", (f) => f.user === alice.user.id && f.online);
    expect((await presenceOf(alice.user.id, bob.token)).online).toBe(true);
    expect((await profile(bob.token)).avatar).toBeDefined();
    a.close();
    b.close();
    await clearAlarms([], [alice.user.id, bob.user.id, carol.user.id]);
  });

  it("refuses bad blocks with their codes and changes nothing", async () => {
    const alice = await register();
    const cases: [Response, number, string][] = [
      [await block(alice.token, alice.user.id), 400, "invalid_field"],
      [await block(alice.token, "zzzzzzzzzzzzzzzz"), 404, "unknown_user"],
      [await block(alice.token, "nope"), 400, "invalid_field"],
      [await block(alice.token, 7), 400, "invalid_field"],
      [await api("/api/me/blocked", { method: "POST", token: alice.token, body: "{oops" }), 400, "invalid_json"],
      [await api("/api/me/blocked/nope", { method: "DELETE", token: alice.token }), 400, "invalid_field"],
      [await api("/api/me/blocked", { method: "POST", body: { userId: alice.user.id } }), 401, "unauthorized"],
    ];
    for (const [res, status, code] of cases) {
      expect(res.status).toBe(status);
      expect(await errorCode(res)).toBe(code);
    }
    expect(await blockedList(alice.token)).toEqual([]);
    expect(await rows(alice.user.id, "SELECT * FROM blocked")).toEqual([]);
  });

  it("blocking twice keeps one entry and its first time", async () => {
    const alice = await register();
    const bob = await register();
    await block(alice.token, bob.user.id);
    const [first] = await blockedList(alice.token);
    expect((await block(alice.token, bob.user.id)).status).toBe(200);
    expect(await blockedList(alice.token)).toEqual([first]);
  });
});
