// Crashes where nothing is written on a timer (docs/groups.md, "What a group
// message costs"): a member's positions and runs, and the group's cursors,
// wait in memory until FLUSH_EVERY entries, however long a quiet group takes
// to get there. Whatever dies with an object is taken again from the log:
// every member gets every message once, in the group's order.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Message } from "../../shared/protocol";
import { crash, keepAlive, receivedAll, replayed, sendAll, settledTeam } from "../../test/group-faults";
import { groupStub, settle } from "../../test/groups";
import { connect, userStub } from "../../test/helpers";
import type { UserObject } from "../user-object";
import { FLUSH_EVERY } from "./cursors";

/** What a fresh device of this user gets of the chat, the system messages left out. */
async function posted(token: string, chat: string): Promise<Message[]> {
  return (await replayed(token, chat)).filter((m) => !m.system);
}

/** What a member's object has stored of a group: its row's newest id, and its older runs. */
async function storedRow(userId: string, chat: string): Promise<{ upto: string | null; runs: number }> {
  return runInDurableObject(userStub(userId), (_: UserObject, state) => {
    const sql = state.storage.sql;
    const row = sql.exec<{ upto: string }>("SELECT upto FROM group_chats WHERE chat = ?", chat).toArray()[0];
    const runs = sql.exec<{ n: number }>("SELECT count(*) AS n FROM group_run_pages").one().n;
    return { upto: row?.upto ?? null, runs };
  });
}

async function storedCursor(groupId: string, userId: string): Promise<string> {
  return runInDurableObject(groupStub(groupId) as DurableObjectStub, (_, state) => {
    const sql = state.storage.sql;
    return sql.exec<{ acked: string }>("SELECT acked FROM cursors WHERE user_id = ?", userId).one().acked;
  });
}

function expectOnceInOrder(messages: Message[], texts: string[]): void {
  expect(messages.map((m) => m.text)).toEqual(texts);
  expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
  const seqs = messages.map((m) => m.seq);
  expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
}

describe("quiet groups: nothing written on a timer", { timeout: 90_000 }, () => {
  it("a member and the group both die long after a quiet group's messages: the next one brings all, once", async () => {
    const { admin, bob, member, group, chat, end } = await settledTeam(3);
    const carol = member(1);
    const b = await connect(bob.token);
    const a = await connect(admin.token);
    const stop = keepAlive([a, b]);
    const ids = await sendAll(a, chat, ["one", "two", "three"]);
    await receivedAll(b, ids);
    await settle(group.id);
    // Quiet for longer than the timers of before (shortened to 1 s in the footprint test): still nothing written.
    await new Promise((r) => setTimeout(r, 1500));
    const last = ids[2] ?? "";
    expect(((await storedRow(bob.user.id, chat)).upto ?? "") < last).toBe(true);
    expect((await storedCursor(group.id, bob.user.id)) < last).toBe(true);
    await crash(userStub(bob.user.id));
    await crash(groupStub(group.id));
    await sendAll(a, chat, ["four"]);
    await settle(group.id);
    for (const user of [admin, bob, carol]) {
      expectOnceInOrder(await posted(user.token, chat), ["one", "two", "three", "four"]);
    }
    stop();
    await end(a, b);
  });

  it("FLUSH_EVERY entries write the member's row and the group's cursors; a crash after loses only what followed", async () => {
    const { admin, bob, group, chat, end } = await settledTeam(2);
    const a = await connect(admin.token);
    const texts = Array.from({ length: FLUSH_EVERY + 2 }, (_, i) => `m${i}`);
    const ids = await sendAll(a, chat, texts);
    await settle(group.id);
    await new Promise((r) => setTimeout(r, 1000)); // the group writes a due batch 600 ms later
    const floor = ids[FLUSH_EVERY - 2] ?? "";
    expect(((await storedRow(bob.user.id, chat)).upto ?? "") >= floor).toBe(true);
    expect((await storedCursor(group.id, bob.user.id)) >= floor).toBe(true);
    await crash(userStub(bob.user.id));
    await crash(groupStub(group.id));
    await sendAll(a, chat, ["last"]);
    await settle(group.id);
    for (const user of [admin, bob]) expectOnceInOrder(await posted(user.token, chat), [...texts, "last"]);
    await end(a);
  });

  it("after a crash, a wake that takes many entries again writes them soon: the next wake does not take them again", async () => {
    const { admin, bob, group, chat, end } = await settledTeam(2);
    const a = await connect(admin.token);
    const texts = Array.from({ length: 12 }, (_, i) => `q${i}`);
    const ids = await sendAll(a, chat, texts);
    await settle(group.id);
    await crash(userStub(bob.user.id));
    await crash(groupStub(group.id));
    // The group pushes again from its stored cursor, bob's object pulls from its stored row:
    // 13 entries each, both written at once (the group's 600 ms after), not at FLUSH_EVERY.
    const [next] = await sendAll(a, chat, ["next"]);
    await settle(group.id);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await storedRow(bob.user.id, chat)).upto).toBe(next);
    expect(await storedCursor(group.id, bob.user.id)).toBe(next);
    expect(ids.every((id) => id < (next ?? ""))).toBe(true);
    await crash(userStub(bob.user.id));
    await sendAll(a, chat, ["after"]);
    await settle(group.id);
    expectOnceInOrder(await posted(bob.token, chat), [...texts, "next", "after"]);
    await end(a);
  });

  it("a group's first row is written at once, a read is stored at the group: the chat list shows both after both die", async () => {
    const { admin, bob, group, chat, end } = await settledTeam(2);
    const a = await connect(admin.token);
    const b = await connect(bob.token);
    const ids = await sendAll(a, chat, ["r1", "r2", "r3"]);
    await receivedAll(b, ids);
    b.send({ type: "read", chat, upTo: ids[1] ?? "" });
    await b.next("chat", (f) => f.chat === chat && f.unread === 1);
    await crash(userStub(bob.user.id));
    await crash(groupStub(group.id));
    const list = await userStub(bob.user.id).chats();
    expect(list.find((c) => c.chat === chat)?.unread).toBe(1);
    await end(a, b);
  });
});
