// Edits and deletes in groups, in the real Workers runtime: the group object
// decides, its log orders the change after the message, and the fan-out
// brings it to every member once, live and on sync, also while the message
// itself is still on its way to some of them. Replies are in ./replies.test.ts.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DELETE_WINDOW_MS, EDIT_WINDOW_MS } from "../../shared/limits";
import type { AuthAnswer } from "../../shared/protocol";
import { act, rows, sendAndWait } from "../../test/actions";
import { clearAlarms, groupStub, historyOf, settle, team } from "../../test/groups";
import { api, connect, register, type TestSocket } from "../../test/helpers";
import type { GroupObject } from "../group-object";

/** Makes a group message older in the group's log (the authority on its time). */
async function ageInGroup(groupId: string, id: string, ms: number) {
  await runInDurableObject(groupStub(groupId), (_: GroupObject, state) => {
    state.storage.sql.exec("UPDATE log SET ts = ts - ? WHERE id = ?", ms, id);
  });
}

async function replayTypes(user: AuthAnswer): Promise<string[]> {
  const socket = await connect(user.token);
  socket.send({ type: "sync", after: 0 });
  await socket.next("synced");
  socket.close();
  return socket.frames.flatMap((f) =>
    typeof f === "string" || f.type === "synced" ? [] : [f.type === "message" && f.message.system ? "system" : f.type],
  );
}

function closeAll(sockets: TestSocket[]) {
  for (const s of sockets) s.close();
}

describe("group edits and deletes", { timeout: 60_000 }, () => {
  it("an edit reaches every member once, live and on sync, after the message", async () => {
    const { users, admin, group, chat } = await team(3);
    const sockets = await Promise.all(users.map((u) => connect(u.token)));
    const [s0, s1, s2] = sockets as [TestSocket, TestSocket, TestSocket];
    const sent = await sendAndWait(s1, chat, "group helo", "m1");
    const answer = await act(s1, { type: "edit", clientId: "e1", id: sent.id, text: "group hello" });
    expect(answer).toMatchObject({ type: "update", clientId: "e1", message: { id: sent.id, text: "group hello" } });
    await settle(group.id);
    for (const [k, user] of users.entries()) {
      const socket = sockets[k] as TestSocket;
      await socket.next("update", (f) => f.message.id === sent.id);
      expect(socket.of("update").filter((f) => f.message.id === sent.id)).toHaveLength(1);
      const history = (await historyOf(user.user.id, chat)).filter((m) => !m.system);
      expect(history).toEqual([
        expect.objectContaining({ id: sent.id, text: "group hello", editedAt: expect.any(Number) }),
      ]);
      expect(await replayTypes(user)).toEqual(["system", "message", "update"]);
    }
    expect(s0.of("update")[0]?.clientId).toBeUndefined();
    expect(s2.of("update")[0]?.clientId).toBeUndefined();
    expect((await groupStub(group.id).stats()).log).toBe(3); // created, message, edit
    closeAll(sockets);
    await clearAlarms([group.id], [admin.user.id]);
  });

  it("an admin deletes anyone's message at any time; members only their own within 48 hours", async () => {
    const { users, admin, rest, group, chat } = await team(3);
    const [bob, carol] = rest as [AuthAnswer, AuthAnswer];
    const [a, b, c] = (await Promise.all(users.map((u) => connect(u.token)))) as [TestSocket, TestSocket, TestSocket];
    const old = await sendAndWait(b, chat, "bob long ago", "m1");
    const fresh = await sendAndWait(b, chat, "bob just now", "m2");
    await ageInGroup(group.id, old.id, DELETE_WINDOW_MS + 60_000);
    await settle(group.id);
    await c.next("message", (f) => f.message.id === fresh.id);
    // Carol (a member) may not delete bob's; bob may not delete his old one.
    expect(await act(c, { type: "delete", clientId: "x1", id: fresh.id, for: "everyone" })).toMatchObject({
      code: "not_your_message",
    });
    expect(await act(b, { type: "delete", clientId: "x2", id: old.id, for: "everyone" })).toMatchObject({
      code: "too_late",
    });
    // The admin may delete the old one.
    const answer = await act(a, { type: "delete", clientId: "d1", id: old.id, for: "everyone" });
    expect(answer).toMatchObject({ type: "update", message: { id: old.id, text: "", deletedBy: admin.user.id } });
    await settle(group.id);
    for (const user of [admin, bob, carol]) {
      const history = (await historyOf(user.user.id, chat)).filter((m) => !m.system);
      expect(history.map((m) => [m.text, m.deletedBy])).toEqual([
        ["", admin.user.id],
        ["bob just now", undefined],
      ]);
    }
    const log = await runInDurableObject(groupStub(group.id), (_: GroupObject, state) =>
      state.storage.sql.exec<{ text: string }>("SELECT text FROM log").toArray(),
    );
    expect(JSON.stringify(log)).not.toContain("long ago");
    closeAll([a, b, c]);
    await clearAlarms(
      [group.id],
      users.map((u) => u.user.id),
    );
  });

  it("refuses bad group edits with their codes and changes nothing", async () => {
    const { users, admin, rest, group, chat } = await team(3);
    const [bob, carol] = rest as [AuthAnswer, AuthAnswer];
    const [a, b, c] = (await Promise.all(users.map((u) => connect(u.token)))) as [TestSocket, TestSocket, TestSocket];
    const mine = await sendAndWait(b, chat, "bob's words", "m1");
    const late = await sendAndWait(b, chat, "bob's old words", "m2");
    await ageInGroup(group.id, late.id, EDIT_WINDOW_MS + 60_000);
    const carols = await sendAndWait(c, chat, "carol's words", "m3");
    await settle(group.id);
    await a.next("message", (f) => f.message.id === carols.id);
    const [created] = await historyOf(admin.user.id, chat);
    const outsider = await register();
    const o = await connect(outsider.token);
    const cases: [TestSocket, Record<string, unknown>, string][] = [
      [b, { type: "edit", id: carols.id, text: "x" }, "not_your_message"],
      [a, { type: "edit", id: mine.id, text: "admins cannot edit" }, "not_your_message"],
      [b, { type: "edit", id: late.id, text: "x" }, "too_late"],
      [a, { type: "delete", id: created?.id, for: "everyone" }, "forbidden"],
      [o, { type: "edit", id: mine.id, text: "x" }, "unknown_message"],
      [o, { type: "delete", id: mine.id, for: "everyone" }, "unknown_message"],
    ];
    for (const [i, [socket, frame, code]] of cases.entries()) {
      expect(await act(socket, { ...frame, clientId: `x${i}` })).toMatchObject({ type: "error", code });
    }
    // Carol leaves: her own message is no longer hers to change in the group.
    await api(`/api/groups/${group.id}/members/${carol.user.id}`, { method: "DELETE", token: carol.token });
    expect(await act(c, { type: "edit", clientId: "x9", id: carols.id, text: "x" })).toMatchObject({
      code: "not_member",
    });
    await settle(group.id);
    expect((await groupStub(group.id).stats()).log).toBe(5); // created, 3 messages, left
    for (const user of [admin, bob]) {
      const texts = (await historyOf(user.user.id, chat)).filter((m) => !m.system).map((m) => m.text);
      expect(texts).toEqual(["bob's words", "bob's old words", "carol's words"]);
      expect(await rows(user.user.id, "SELECT * FROM changes")).toEqual([]);
    }
    closeAll([a, b, c, o]);
    await clearAlarms(
      [group.id],
      users.map((u) => u.user.id),
    );
  });

  it("a retried group edit (same clientId) gets the first answer; the log has one change", async () => {
    const { users, group, chat } = await team(2);
    const [, b] = (await Promise.all(users.map((u) => connect(u.token)))) as [TestSocket, TestSocket];
    const sent = await sendAndWait(b, chat, "v1", "m1");
    const first = await act(b, { type: "edit", clientId: "e1", id: sent.id, text: "v2" });
    // The mailbox answers a retry itself; a retry that reaches the group (answer lost) gets the same entry.
    const again = await groupStub(group.id).change(
      users[1]?.user.id ?? "",
      "e1",
      { action: "edit", id: sent.id, text: "v3" },
      "",
    );
    expect(first.type).toBe("update");
    const stored = await runInDurableObject(groupStub(group.id), (_: GroupObject, state) =>
      state.storage.sql.exec<{ id: string }>("SELECT id FROM log WHERE client_id = 'e1'").toArray(),
    );
    expect(stored).toHaveLength(1);
    expect(again).toMatchObject({ ok: true, value: { id: stored[0]?.id } });
    b.send({ type: "edit", clientId: "e1", id: sent.id, text: "v3" });
    await b.until((s) => s.of("update").filter((f) => f.clientId === "e1").length >= 2);
    expect(
      new Set(
        b
          .of("update")
          .filter((f) => f.clientId === "e1")
          .map((f) => f.seq),
      ).size,
    ).toBe(1);
    // A clientId of a send cannot be reused for an edit.
    expect(
      await groupStub(group.id).change(users[1]?.user.id ?? "", "m1", { action: "edit", id: sent.id, text: "v4" }, ""),
    ).toMatchObject({
      ok: false,
      error: { code: "invalid_field" },
    });
    await settle(group.id);
    expect((await groupStub(group.id).stats()).log).toBe(3);
    expect((await historyOf(users[0]?.user.id ?? "", chat)).at(-1)?.text).toBe("v2");
    b.close();
    await clearAlarms(
      [group.id],
      users.map((u) => u.user.id),
    );
  });

  it("an edit while the message is still on its way to a member: it gets the message, then the edit", async () => {
    const { users, rest, group, chat } = await team(3);
    const [bob, carol] = rest as [AuthAnswer, AuthAnswer];
    let blocked = true;
    await runInDurableObject(groupStub(group.id), (object: GroupObject) => {
      const fanout = object.fanout;
      if (!fanout) throw new Error("no fan-out");
      const real = fanout.deliver;
      fanout.deliver = async (target, items, after) => {
        if (target === carol.user.id && blocked) throw new Error("carol is unreachable");
        return real(target, items, after);
      };
    });
    const c = await connect(carol.token);
    const b = await connect(bob.token);
    const sent = await sendAndWait(b, chat, "before the edit", "m1");
    await act(b, { type: "edit", clientId: "e1", id: sent.id, text: "after the edit" });
    expect(c.of("message").filter((f) => f.message.id === sent.id)).toEqual([]);
    blocked = false;
    await settle(group.id);
    await c.next("update", (f) => f.message.id === sent.id);
    const live = c.frames.flatMap((f) =>
      typeof f !== "string" && (f.type === "message" || f.type === "update") && f.message.id === sent.id
        ? [[f.type, f.message.text]]
        : [],
    );
    // The message arrives in its current state, then the edit's entry.
    expect(live).toEqual([
      ["message", "after the edit"],
      ["update", "after the edit"],
    ]);
    expect((await historyOf(carol.user.id, chat)).filter((m) => !m.system).map((m) => m.text)).toEqual([
      "after the edit",
    ]);
    closeAll([b, c]);
    await clearAlarms(
      [group.id],
      users.map((u) => u.user.id),
    );
  });

  it("a member added after a message gets neither it nor its later changes", async () => {
    const { users, admin, group, chat } = await team(2);
    const [a] = (await Promise.all(users.map((u) => connect(u.token)))) as [TestSocket];
    const sent = await sendAndWait(a, chat, "before dave", "m1");
    const dave = await register();
    await api(`/api/groups/${group.id}/members`, {
      method: "POST",
      token: admin.token,
      body: { userId: dave.user.id },
    });
    await act(a, { type: "edit", clientId: "e1", id: sent.id, text: "edited after dave joined" });
    await settle(group.id);
    expect((await historyOf(dave.user.id, chat)).map((m) => m.system?.event)).toEqual(["added"]);
    expect(await rows(dave.user.id, "SELECT * FROM held_changes")).toEqual([]);
    expect(await rows(dave.user.id, "SELECT * FROM changes")).toEqual([]);
    a.close();
    await clearAlarms([group.id], [...users.map((u) => u.user.id), dave.user.id]);
  });
});
