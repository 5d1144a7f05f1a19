// A sender's runs ended between its messages (at a low rate every receipt
// ends one) stay in its group row (`ended`) and leave RUN_PAGE at a time as a
// page (user schema step 15, docs/groups.md). Both are written in the block
// that answers `sent`: crashes before and after a page leaves keep every seq
// answered, a retry gets the same one, and sync, history and message info
// find each message once at its seq.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { rows } from "../../test/actions";
import { clearAlarms, settle, team } from "../../test/groups";
import { connect, type TestSocket, userStub } from "../../test/helpers";
import { RUN_PAGE } from "./group-chat-store";

async function crash(userId: string): Promise<void> {
  await runInDurableObject(userStub(userId), (_instance, state) => state.abort("test crash")).catch(() => undefined);
}

async function sent(socket: TestSocket, chat: string, clientId: string): Promise<{ id: string; seq: number }> {
  socket.send({ type: "send", clientId, chat, text: `text ${clientId}` });
  const frame = await socket.next("sent", (f) => f.clientId === clientId);
  return { id: frame.id, seq: frame.seq };
}

describe("a sender's ended runs in its row and in pages", { timeout: 90_000 }, () => {
  it("crashes before and after a page leaves the row keep every seq answered; retries get the same", async () => {
    const { admin, rest, group, chat } = await team(2);
    const bob = rest[0] as (typeof rest)[0];
    const direct = `u:${bob.user.id}`;
    await settle(group.id);
    let a = await connect(admin.token);
    const answered = new Map<string, { id: string; seq: number }>();
    // Each one-to-one message takes a seq between two group messages: the group run ends every time.
    const total = RUN_PAGE + 6;
    for (let i = 0; i < total; i++) {
      answered.set(`p${i}`, await sent(a, chat, `p${i}`));
      await sent(a, direct, `d${i}`);
      // Before any page (runs in the row only), and just after the first page left the row.
      if (i === 5 || i === RUN_PAGE + 1) {
        a.close();
        await crash(admin.user.id);
        a = await connect(admin.token);
        // A retry after `sent` (the answer lost) finds the same message at the same seq.
        expect(await sent(a, chat, `p${i}`)).toEqual(answered.get(`p${i}`));
      }
    }
    const stored = await rows<{ ended: string | null }>(
      admin.user.id,
      "SELECT ended FROM group_chats WHERE chat = ?",
      chat,
    );
    const pages = await rows<{ runs: string }>(admin.user.id, "SELECT runs FROM group_run_pages");
    expect(pages.length).toBe(1);
    expect((JSON.parse(pages[0]?.runs ?? "[]") as unknown[]).length).toBe(RUN_PAGE);
    expect(stored[0]?.ended).not.toBeNull();
    expect(await rows(admin.user.id, "SELECT * FROM group_runs")).toEqual([]);

    // Woken again from storage alone: every seq as answered, each message once.
    a.close();
    await crash(admin.user.id);
    const device = await connect(admin.token);
    device.send({ type: "sync", after: 0 });
    await device.next("synced");
    const replayed = device.of("message").filter((f) => f.message.chat === chat && !f.message.system);
    expect(replayed.map((f) => ({ id: f.message.id, seq: f.message.seq }))).toEqual([...answered.values()]);
    // From the middle: what a device whose cursor stood inside a page gets.
    const middle = answered.get("p10")?.seq ?? 0;
    const later = await connect(admin.token);
    later.send({ type: "sync", after: middle });
    await later.next("synced");
    const after = later.of("message").filter((f) => f.message.chat === chat && !f.message.system);
    expect(after.map((f) => f.message.seq)).toEqual([...answered.values()].map((m) => m.seq).filter((s) => s > middle));
    const history = await userStub(admin.user.id).history(chat, undefined, 100);
    expect(history.filter((m) => !m.system).map((m) => ({ id: m.id, seq: m.seq }))).toEqual([...answered.values()]);
    for (const s of [device, later]) s.close();
    await clearAlarms([group.id], [admin.user.id, bob.user.id]);
  });

  it("a member's runs ended by its own sends page the same way, and its count of messages is kept", async () => {
    const { admin, rest, group, chat } = await team(2);
    const bob = rest[0] as (typeof rest)[0];
    await settle(group.id);
    const a = await connect(admin.token);
    const b = await connect(bob.token);
    // Bob takes admin's messages from pushes; his own one-to-one sends end his run each time.
    const direct = `u:${admin.user.id}`;
    const ids: string[] = [];
    for (let i = 0; i < RUN_PAGE + 3; i++) {
      const { id } = await sent(a, chat, `m${i}`);
      ids.push(id);
      await b.next("message", (f) => f.message.id === id);
      await sent(b, direct, `b${i}`);
    }
    await settle(group.id);
    const before = await userStub(bob.user.id).stats();
    b.close();
    a.close();
    // Bob's object writes its rows when its last device leaves; then it dies.
    await new Promise((r) => setTimeout(r, 300));
    await crash(bob.user.id);
    expect((await userStub(bob.user.id).stats()).messages).toBe(before.messages);
    const device = await connect(bob.token);
    device.send({ type: "sync", after: 0 });
    await device.next("synced");
    const got = device.of("message").filter((f) => f.message.chat === chat && !f.message.system);
    expect(got.map((f) => f.message.id)).toEqual(ids);
    const seqs = got.map((f) => f.message.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    device.close();
    await clearAlarms([group.id], [admin.user.id, bob.user.id]);
  });
});
