// Message info (GET /api/chats/:chat/messages/:id/receipts), in the real
// Workers runtime: each reader's delivered and read times for a message the
// caller sent, members who left included, and the refusals.

import { describe, expect, it } from "vitest";
import type { AuthAnswer, ReaderReceipt } from "../../shared/protocol";
import { act, drainAlarms, sendAndWait } from "../../test/actions";
import { clearAlarms, createGroup, errorCode, settle } from "../../test/groups";
import { api, connect, register, type TestSocket } from "../../test/helpers";

async function info(token: string, chat: string, id: string) {
  return api(`/api/chats/${chat}/messages/${id}/receipts`, { token });
}

async function receipts(token: string, chat: string, id: string): Promise<ReaderReceipt[]> {
  const res = await info(token, chat, id);
  if (res.status !== 200) throw new Error(`receipts: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { receipts: ReaderReceipt[] }).receipts;
}

describe("message info", { timeout: 60_000 }, () => {
  it("in a group: each member's delivered and read times; a member who left stays listed, a later one is not", async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => register()));
    const [alice, bob, carol, dave] = users as [AuthAnswer, AuthAnswer, AuthAnswer, AuthAnswer];
    const group = await createGroup(alice.token, "info", [bob.user.id, carol.user.id, dave.user.id]);
    const chat = `g:${group.id}`;
    const [a, b, c, d] = (await Promise.all(users.map((u) => connect(u.token)))) as TestSocket[] as [
      TestSocket,
      TestSocket,
      TestSocket,
      TestSocket,
    ];
    const sent = await sendAndWait(a, chat, "who read this?", "m1");
    await settle(group.id);
    await Promise.all([b, c, d].map((s) => s.next("message", (f) => f.message.id === sent.id)));
    b.send({ type: "received", ids: [sent.id] });
    c.send({ type: "read", chat, upTo: sent.id });
    d.send({ type: "received", ids: [sent.id] });
    await a.until((s) => s.of("receipt").length === 3);
    // Dave leaves, eve joins after the message.
    await api(`/api/groups/${group.id}/members/${dave.user.id}`, { method: "DELETE", token: dave.token });
    const eve = await register();
    await api(`/api/groups/${group.id}/members`, { method: "POST", token: alice.token, body: { userId: eve.user.id } });

    const list = await receipts(alice.token, chat, sent.id);
    const byUser = new Map(list.map((r) => [r.user, r]));
    expect(list.map((r) => r.user)).toEqual([bob.user.id, carol.user.id, dave.user.id]);
    expect(byUser.get(bob.user.id)).toEqual({ user: bob.user.id, deliveredAt: expect.any(Number), readAt: null });
    expect(byUser.get(carol.user.id)).toEqual({
      user: carol.user.id,
      deliveredAt: expect.any(Number),
      readAt: expect.any(Number),
    });
    expect(byUser.get(dave.user.id)?.deliveredAt).toEqual(expect.any(Number));

    // An edit resets the reads; a read after it counts again.
    await act(a, { type: "edit", clientId: "e1", id: sent.id, text: "who read this now?" });
    await settle(group.id);
    expect((await receipts(alice.token, chat, sent.id)).find((r) => r.user === carol.user.id)?.readAt).toBe(null);
    await c.next("update", (f) => f.message.id === sent.id);
    c.send({ type: "read", chat, upTo: sent.id });
    await a.until((s) => s.of("receipt").filter((f) => f.status === "read").length === 2);
    expect((await receipts(alice.token, chat, sent.id)).find((r) => r.user === carol.user.id)?.readAt).toEqual(
      expect.any(Number),
    );
    for (const s of [a, b, c, d]) s.close();
    await settle(group.id);
    await clearAlarms([group.id], [...users.map((u) => u.user.id), eve.user.id]);
  });

  it("one-to-one: the peer's times", async () => {
    const alice = await register();
    const bob = await register();
    const a = await connect(alice.token);
    const b = await connect(bob.token);
    const sent = await sendAndWait(a, `u:${bob.user.id}`, "hi", "m1");
    expect(await receipts(alice.token, `u:${bob.user.id}`, sent.id)).toEqual([
      { user: bob.user.id, deliveredAt: null, readAt: null },
    ]);
    await b.next("message", (f) => f.message.id === sent.id);
    b.send({ type: "read", chat: `u:${alice.user.id}`, upTo: sent.id });
    await a.next("receipt", (f) => f.status === "read");
    expect(await receipts(alice.token, `u:${bob.user.id}`, sent.id)).toEqual([
      { user: bob.user.id, deliveredAt: expect.any(Number), readAt: expect.any(Number) },
    ]);
    await drainAlarms(alice.user.id);
    await drainAlarms(bob.user.id);
    a.close();
    b.close();
  });

  it("refuses others' messages, unknown and malformed ids and chats", async () => {
    const alice = await register();
    const bob = await register();
    const a = await connect(alice.token);
    const sent = await sendAndWait(a, `u:${bob.user.id}`, "hi", "m1");
    await drainAlarms(alice.user.id);
    const cases: [Response, number, string][] = [
      [await info(bob.token, `u:${alice.user.id}`, sent.id), 403, "not_your_message"],
      [await info(alice.token, `u:${alice.user.id}`, sent.id), 404, "unknown_message"],
      [await info(alice.token, `u:${bob.user.id}`, `${"0".repeat(13)}${alice.user.id}`), 404, "unknown_message"],
      [await info(alice.token, `u:${bob.user.id}`, "nope"), 400, "invalid_field"],
      [await info(alice.token, "bob", sent.id), 400, "invalid_chat"],
      // A group that does not exist answers as one the caller is not in (docs/security.md).
      [await info(bob.token, "g:zzzzzzzzzzzzzzzz", sent.id), 403, "not_member"],
    ];
    for (const [res, status, code] of cases) {
      expect(res.status).toBe(status);
      expect(await errorCode(res)).toBe(code);
    }
    a.close();
  });
});
