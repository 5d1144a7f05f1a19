// A sender's runs ended between its messages (at a low rate every receipt
// ends one) stay in its group row (`ended`) and leave RUN_PAGE at a time as a
// page (user schema step 15, docs/groups.md). Both are written in the block
// that answers `sent`: crashes before and after a page leaves keep every seq
// answered, a retry gets the same one, and sync, history and message info
// find each message once at its seq.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChatId } from "../../shared/protocol";
import { rows } from "../../test/actions";
import { senderFirst } from "../../test/copies";
import { clearAlarms, createGroup, settle, team } from "../../test/groups";
import { connect, type TestSocket, userStub } from "../../test/helpers";
import { hostedSendOn } from "../../test/hosted";
import { RUN_PAGE } from "./group-chat-store";

async function crash(userId: string): Promise<void> {
  await runInDurableObject(userStub(userId), (_instance, state) => state.abort("test crash")).catch(() => undefined);
}

async function sent(socket: TestSocket, chat: string, clientId: string): Promise<{ id: string; seq: number }> {
  socket.send({ type: "send", clientId, chat, text: `text ${clientId}` });
  const frame = await socket.next("sent", (f) => f.clientId === clientId);
  return { id: frame.id, seq: frame.seq };
}

/**
 * An admin and a member in a group of two. With `hosted`, the admin's id sorts
 * last and its send is switched on: its one-to-one messages go to the member,
 * who hosts the chat, and take seqs in the admin's `u:` row, whose runs end
 * and page as the group's do. Without, it sorts first: today's copies, in
 * either mode of the run (HOSTED_GUEST_SEND).
 */
async function twoInGroup(hosted: boolean) {
  const { alice, bob } = await senderFirst();
  const [admin, member] = hosted ? [bob, alice] : [alice, bob];
  const group = await createGroup(admin.token, "team", [member.user.id]);
  return { admin, member, group, chat: `g:${group.id}` as const };
}

describe("a sender's ended runs in its row and in pages", { timeout: 90_000 }, () => {
  for (const hosted of [false, true]) {
    it(`crashes before and after a page leaves the row keep every seq answered; retries get the same${hosted ? " (its one-to-one chat hosted)" : ""}`, async () => {
      const { admin, member: bob, group, chat } = await twoInGroup(hosted);
      const direct = `u:${bob.user.id}`;
      const chats = hosted ? [chat, direct] : [chat];
      // The switch is pinned in memory: a crash loses it, so it is set again after each.
      const switchOn = async () => (hosted ? hostedSendOn(admin.user.id) : undefined);
      await settle(group.id);
      await switchOn();
      let a = await connect(admin.token);
      const answered = new Map<string, { id: string; seq: number }>();
      const answeredDirect = new Map<string, { id: string; seq: number }>();
      // Each one-to-one message takes a seq between two group messages: the group run ends every time.
      const total = RUN_PAGE + 6;
      for (let i = 0; i < total; i++) {
        answered.set(`p${i}`, await sent(a, chat, `p${i}`));
        answeredDirect.set(`d${i}`, await sent(a, direct, `d${i}`));
        // Before any page (runs in the row only), and just after the first page left the row.
        if (i === 5 || i === RUN_PAGE + 1) {
          a.close();
          await crash(admin.user.id);
          await switchOn();
          a = await connect(admin.token);
          // A retry after `sent` (the answer lost) finds the same message at the same seq.
          expect(await sent(a, chat, `p${i}`)).toEqual(answered.get(`p${i}`));
          expect(await sent(a, direct, `d${i}`)).toEqual(answeredDirect.get(`d${i}`));
        }
      }
      for (const c of chats) {
        const stored = await rows<{ ended: string | null }>(
          admin.user.id,
          "SELECT ended FROM group_chats WHERE chat = ?",
          c,
        );
        const pages = await rows<{ runs: string }>(admin.user.id, "SELECT runs FROM group_run_pages WHERE chat = ?", c);
        expect(pages.length).toBe(1);
        expect((JSON.parse(pages[0]?.runs ?? "[]") as unknown[]).length).toBe(RUN_PAGE);
        expect(stored[0]?.ended).not.toBeNull();
      }
      expect(
        await rows(admin.user.id, "SELECT chat FROM group_run_pages WHERE chat NOT IN (?, ?)", chat, direct),
      ).toEqual([]);
      expect(await rows(admin.user.id, "SELECT * FROM group_runs")).toEqual([]);

      // Woken again from storage alone: every seq as answered, each message once.
      a.close();
      await crash(admin.user.id);
      await switchOn();
      const device = await connect(admin.token);
      device.send({ type: "sync", after: 0 });
      await device.next("synced");
      const replayed = (c: string) =>
        device
          .of("message")
          .filter((f) => f.message.chat === c && !f.message.system)
          .map((f) => ({ id: f.message.id, seq: f.message.seq }));
      expect(replayed(chat)).toEqual([...answered.values()]);
      expect(replayed(direct)).toEqual([...answeredDirect.values()]);
      // From the middle: what a device whose cursor stood inside a page gets.
      const middle = answered.get("p10")?.seq ?? 0;
      const later = await connect(admin.token);
      later.send({ type: "sync", after: middle });
      await later.next("synced");
      const after = later.of("message").filter((f) => f.message.chat === chat && !f.message.system);
      expect(after.map((f) => f.message.seq)).toEqual(
        [...answered.values()].map((m) => m.seq).filter((s) => s > middle),
      );
      for (const [c, all] of [
        [chat, answered],
        [direct, answeredDirect],
      ] as const) {
        const history = await userStub(admin.user.id).history(c as ChatId, undefined, 100);
        expect(history.filter((m) => !m.system).map((m) => ({ id: m.id, seq: m.seq }))).toEqual([...all.values()]);
      }
      // The one-to-one messages: one copy at the host when hosted, today's copy in each mailbox when not.
      const ids = JSON.stringify([...answeredDirect.values()].map((m) => m.id));
      const at = async (userId: string) =>
        (
          await rows<{ n: number }>(
            userId,
            "SELECT count(*) AS n FROM messages WHERE id IN (SELECT value FROM json_each(?))",
            ids,
          )
        )[0]?.n;
      expect([await at(admin.user.id), await at(bob.user.id)]).toEqual([hosted ? 0 : total, total]);
      for (const s of [device, later]) s.close();
      await clearAlarms([group.id], [admin.user.id, bob.user.id]);
    });
  }

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
