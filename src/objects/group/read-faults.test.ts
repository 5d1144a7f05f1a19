// Crashes around a group member's read (issue 16, group/read-marks.ts): a read
// writes no row of the member's; the group stores the read positions of a
// window in one row before it answers, and a member's object that lost its
// row's read gets it back from the group's pull at its next wake. The chat
// list shows the read chat's unread count right after either object dies.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Message } from "../../shared/protocol";
import { act } from "../../test/actions";
import { crash, receivedAll, replayed, sendAll, settledTeam } from "../../test/group-faults";
import { groupStub, settle } from "../../test/groups";
import { connect, type TestSocket, userStub } from "../../test/helpers";
import type { UserObject } from "../user-object";

/** The read position a member's object has stored for a group. */
async function storedRead(userId: string, chat: string): Promise<string> {
  return runInDurableObject(userStub(userId), (_: UserObject, state) => {
    const sql = state.storage.sql;
    return sql.exec<{ r: string }>("SELECT read_upto AS r FROM group_chats WHERE chat = ?", chat).toArray()[0]?.r ?? "";
  });
}

/** The group's stored read positions: its cursor rows' and its gathered record's. */
async function groupReads(
  groupId: string,
): Promise<{ cursors: Record<string, string>; gathered: Record<string, string> }> {
  return runInDurableObject(groupStub(groupId) as DurableObjectStub, (_, state) => {
    const sql = state.storage.sql;
    const cursors = Object.fromEntries(
      sql
        .exec<{ user_id: string; read: string }>("SELECT user_id, read FROM cursors")
        .toArray()
        .map((r) => [r.user_id, r.read]),
    );
    const raw = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'read_marks'").toArray()[0]?.value;
    return { cursors, gathered: raw ? (JSON.parse(raw) as Record<string, string>) : {} };
  });
}

async function unreadIn(userId: string, chat: string): Promise<number | undefined> {
  return (await userStub(userId).chats()).find((c) => c.chat === chat)?.unread;
}

async function read(socket: TestSocket, chat: `g:${string}`, upTo: string, unread: number): Promise<void> {
  socket.send({ type: "read", chat, upTo });
  await socket.next("chat", (f) => f.chat === chat && f.unread === unread);
}

function texts(messages: Message[]): string[] {
  return messages.filter((m) => !m.system).map((m) => m.text);
}

describe("a member's read, gathered at the group", { timeout: 90_000 }, () => {
  it("two members read in the same window: one record at the group holds both, no row of theirs is written", async () => {
    const { admin, bob, member, group, chat, end } = await settledTeam(3);
    const carol = member(1);
    const a = await connect(admin.token);
    const b = await connect(bob.token);
    const c = await connect(carol.token);
    const ids = await sendAll(a, chat, ["r1", "r2", "r3"]);
    for (const s of [b, c]) await receivedAll(s, ids);
    const before = await storedRead(bob.user.id, chat);
    // Both short of the newest, so both ask the group (a read up to the newest is gathered: group-read-gathered.test.ts).
    await Promise.all([read(b, chat, ids[1] ?? "", 1), read(c, chat, ids[0] ?? "", 2)]);
    // Answered: stored at the group, in the gathered record (the cursor rows wait for their batch).
    const stored = await groupReads(group.id);
    expect(stored.gathered[bob.user.id]).toBe(ids[1]);
    expect(stored.gathered[carol.user.id]).toBe(ids[0]);
    expect(stored.cursors[bob.user.id] ?? "").not.toBe(ids[1]);
    expect(await storedRead(bob.user.id, chat)).toBe(before);
    await end(a, b, c);
  });

  it("the member's object dies after its read: the chat list gets the read back from the group", async () => {
    const { admin, bob, group, chat, end } = await settledTeam(2);
    const a = await connect(admin.token);
    const b = await connect(bob.token);
    const ids = await sendAll(a, chat, ["r1", "r2", "r3", "r4"]);
    await receivedAll(b, ids);
    await read(b, chat, ids[2] ?? "", 1);
    expect(await storedRead(bob.user.id, chat)).not.toBe(ids[2]); // no row of bob's for the read
    b.close();
    await crash(userStub(bob.user.id));
    expect(await unreadIn(bob.user.id, chat)).toBe(1);
    // A message after the wake counts on top of what was read.
    await sendAll(a, chat, ["r5"]);
    await settle(group.id);
    expect(await unreadIn(bob.user.id, chat)).toBe(2);
    await end(a);
  });

  it("both objects die after the read, the member's row behind its read: the unread count is right, every message once", async () => {
    const { admin, bob, group, chat, end } = await settledTeam(2);
    const a = await connect(admin.token);
    const b = await connect(bob.token);
    const ids = await sendAll(a, chat, ["s1", "s2", "s3", "s4", "s5"]);
    await receivedAll(b, ids);
    await read(b, chat, ids[3] ?? "", 1);
    expect(await storedRead(bob.user.id, chat)).not.toBe(ids[3]);
    b.close();
    await crash(userStub(bob.user.id));
    await crash(groupStub(group.id));
    expect(await unreadIn(bob.user.id, chat)).toBe(1);
    expect(texts(await replayed(bob.token, chat))).toEqual(["s1", "s2", "s3", "s4", "s5"]);
    await end(a);
  });

  it("the group dies while a read gathers: the read is not answered, and nothing of it is stored", async () => {
    const { admin, bob, group, chat, end } = await settledTeam(2);
    const a = await connect(admin.token);
    const ids = await sendAll(a, chat, ["w1", "w2"]);
    await settle(group.id);
    const last = ids[1] ?? "";
    // As bob's object asks it; the answer waits for the window's record, which the crash prevents.
    const answer = groupStub(group.id)
      .ack(bob.user.id, "", last, last)
      .then(
        () => "answered",
        () => "failed",
      );
    await crash(groupStub(group.id));
    expect(await answer).toBe("failed");
    const stored = await groupReads(group.id);
    expect(stored.gathered[bob.user.id]).toBeUndefined();
    expect(stored.cursors[bob.user.id] ?? "").not.toBe(last);
    // Nothing was answered, so nothing is shown read: the wake's pull brings no read back.
    const page = await groupStub(group.id).pull(bob.user.id, "", 100, "");
    expect(page.ok && page.value.read).toBeFalsy();
    expect(await unreadIn(bob.user.id, chat)).toBe(2);
    await end(a);
  });

  it("an edit makes a read message unread again, in the gathered record too: a crash does not bring the old read back", async () => {
    const { admin, bob, group, chat, end } = await settledTeam(2);
    const a = await connect(admin.token);
    const b = await connect(bob.token);
    const ids = await sendAll(a, chat, ["e1", "e2"]);
    await receivedAll(b, ids);
    await read(b, chat, ids[1] ?? "", 0);
    expect((await act(a, { type: "edit", clientId: "ed", id: ids[1] ?? "", text: "e2 changed" })).type).toBe("update");
    await settle(group.id);
    await crash(groupStub(group.id));
    const stored = await groupReads(group.id);
    expect((stored.gathered[bob.user.id] ?? "") < (ids[1] ?? "")).toBe(true);
    expect((stored.cursors[bob.user.id] ?? "") < (ids[1] ?? "")).toBe(true);
    await end(a, b);
  });
});
