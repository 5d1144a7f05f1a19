// Reactions in groups, in the real Workers runtime: the group object decides
// (members who can see the message), keeps one row per person who reacted
// (not per member), and its log carries the change to every member once,
// live and on sync; refusals store nothing anywhere.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AuthAnswer } from "../../shared/protocol";
import { act, sendAndWait } from "../../test/actions";
import { clearAlarms, groupStub, historyOf, settle, team } from "../../test/groups";
import { api, connect, register, type TestSocket } from "../../test/helpers";
import type { GroupObject } from "../group-object";

async function groupRows(groupId: string) {
  return runInDurableObject(groupStub(groupId), (_: GroupObject, state) =>
    state.storage.sql
      .exec<{ pos: number; user_id: string; emoji: string }>("SELECT pos, user_id, emoji FROM reactions ORDER BY at")
      .toArray(),
  );
}

async function replayOf(user: AuthAnswer) {
  const socket = await connect(user.token);
  socket.send({ type: "sync", after: 0 });
  await socket.next("synced");
  socket.close();
  return socket.frames.filter((f) => typeof f !== "string" && f.type !== "synced");
}

function closeAll(sockets: TestSocket[]) {
  for (const s of sockets) s.close();
}

describe("group reactions", { timeout: 60_000 }, () => {
  it("every member sees who reacted with what, live, in history and on sync; one row per reactor", async () => {
    const { users, admin, group, chat } = await team(3);
    const sockets = await Promise.all(users.map((u) => connect(u.token)));
    const [s0, s1, s2] = sockets as [TestSocket, TestSocket, TestSocket];
    const [u0, , u2] = users as [AuthAnswer, AuthAnswer, AuthAnswer];
    const sent = await sendAndWait(s1, chat, "who is in?", "m1");
    await settle(group.id);
    const logBefore = (await groupStub(group.id).stats()).log;

    expect(await act(s0, { type: "react", clientId: "r0", id: sent.id, emoji: "👍" })).toMatchObject({
      type: "update",
      clientId: "r0",
      message: { id: sent.id, reactions: [{ from: u0.user.id, emoji: "👍" }] },
    });
    await act(s2, { type: "react", clientId: "r2", id: sent.id, emoji: "👍" });
    await act(s0, { type: "react", clientId: "r0b", id: sent.id, emoji: "🙏" }); // replaced
    await act(s1, { type: "react", clientId: "r1", id: sent.id, emoji: "❤️" });
    await act(s1, { type: "react", clientId: "r1b", id: sent.id, emoji: null }); // removed
    await settle(group.id);
    const final = [
      { from: u2.user.id, emoji: "👍" },
      { from: u0.user.id, emoji: "🙏" },
    ];
    for (const [k, user] of users.entries()) {
      const socket = sockets[k] as TestSocket;
      await socket.until((s) => s.of("update").filter((f) => f.message.id === sent.id).length === 5);
      expect(socket.of("update").at(-1)?.message.reactions).toEqual(final);
      const [message] = (await historyOf(user.user.id, chat)).filter((m) => !m.system);
      expect(message?.reactions).toEqual(final);
      // Each replayed entry shows the message as it is now: never a step in between.
      const updates = (await replayOf(user)).filter((f) => typeof f !== "string" && f.type === "update");
      expect(updates.map((f) => (f as { message: { reactions?: unknown } }).message.reactions)).toEqual(
        Array(5).fill(final),
      );
    }
    // Rows: two reactions (not one per member), and one log entry per reaction sent.
    expect((await groupRows(group.id)).map((r) => r.user_id)).toEqual([u2.user.id, u0.user.id]);
    expect((await groupStub(group.id).stats()).log).toBe(logBefore + 5);

    // A retry gets the first answer and appends nothing.
    s0.frames.length = 0;
    expect(await act(s0, { type: "react", clientId: "r0b", id: sent.id, emoji: "🙏" })).toMatchObject({
      type: "update",
      clientId: "r0b",
    });
    expect((await groupStub(group.id).stats()).log).toBe(logBefore + 5);
    closeAll(sockets);
    await clearAlarms([group.id], [admin.user.id]);
  });

  it("outsiders, former members and members who joined later cannot react; nothing is stored", async () => {
    const { users, admin, group, chat } = await team(3);
    const [, u1, u2] = users as [AuthAnswer, AuthAnswer, AuthAnswer];
    const outsider = await register();
    const late = await register();
    const s1 = await connect(u1.token);
    const early = await sendAndWait(s1, chat, "before you came", "m1");
    const system = (await historyOf(u1.user.id, chat)).find((m) => m.system);
    // u2 leaves; `late` joins after the message.
    expect(
      (await api(`/api/groups/${group.id}/members/${u2.user.id}`, { method: "DELETE", token: u2.token })).status,
    ).toBe(200);
    const added = await api(`/api/groups/${group.id}/members`, {
      method: "POST",
      token: admin.token,
      body: { userId: late.user.id },
    });
    expect(added.status).toBe(200);
    await settle(group.id);
    const logBefore = (await groupStub(group.id).stats()).log;
    const cases: [AuthAnswer, string, string][] = [
      [outsider, early.id, "unknown_message"],
      [u2, early.id, "not_member"],
      [late, early.id, "unknown_message"],
      [u1, system?.id ?? "", "forbidden"],
    ];
    for (const [i, [user, id, code]] of cases.entries()) {
      const socket = await connect(user.token);
      socket.send({ type: "sync", after: 0 });
      await socket.next("synced");
      const answer = await act(socket, { type: "react", clientId: `bad${i}`, id, emoji: "👍" });
      expect(answer, `case ${i}`).toMatchObject({ type: "error", code, clientId: `bad${i}` });
      socket.close();
    }
    expect(await groupRows(group.id)).toEqual([]);
    expect((await groupStub(group.id).stats()).log).toBe(logBefore);
    s1.close();
    await clearAlarms([group.id], [admin.user.id]);
  });

  it("a deleted message takes no reactions, and shows none", async () => {
    const { users, admin, group, chat } = await team(2);
    const [u0, u1] = users as [AuthAnswer, AuthAnswer];
    const [s0, s1] = await Promise.all([connect(u0.token), connect(u1.token)]);
    const sent = await sendAndWait(s1, chat, "oops", "m1");
    await settle(group.id);
    await act(s0, { type: "react", clientId: "r0", id: sent.id, emoji: "😮" });
    await act(s1, { type: "delete", clientId: "d1", id: sent.id, for: "everyone" });
    expect(await act(s0, { type: "react", clientId: "r1", id: sent.id, emoji: "👍" })).toMatchObject({
      type: "error",
      code: "message_deleted",
    });
    const [message] = (await historyOf(u0.user.id, chat)).filter((m) => !m.system);
    expect(message?.deletedAt).toEqual(expect.any(Number));
    expect(message?.reactions).toBeUndefined();
    closeAll([s0, s1]);
    await clearAlarms([group.id], [admin.user.id]);
  });
});
