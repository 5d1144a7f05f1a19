// Crashes on the paths of a group message stored once (docs/groups.md, the
// crash table): a member's object dying before it wrote which seqs it gave
// (its runs and position), the group dying before it wrote its cursors and
// watermarks, and a batch of receipts lost with the group. Nothing answered
// `sent` is lost, nothing is in a mailbox twice, and a lost batch of receipts
// comes again with the next acknowledgement.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { crash, keepAlive, receivedAll, replayed, sendAll, settledTeam } from "../../test/group-faults";
import { groupStub, settle } from "../../test/groups";
import { connect, userStub } from "../../test/helpers";
import type { UserObject } from "../user-object";

describe("store-once faults", { timeout: 60_000 }, () => {
  it("a member's object dies before writing its runs: the entries come again at higher seqs, once", async () => {
    const { admin, bob, group, chat, end } = await settledTeam(2);
    const b = await connect(bob.token);
    const a = await connect(admin.token);
    const stop = keepAlive([a, b]);
    const ids = await sendAll(a, chat, ["one", "two", "three"]);
    await receivedAll(b, ids);
    const before = Math.max(...b.of("message").map((f) => f.message.seq));
    const stored = await runInDurableObject(
      userStub(bob.user.id),
      (_: UserObject, state) =>
        state.storage.sql.exec<{ upto: string }>("SELECT upto FROM group_chats WHERE chat = ?", chat).toArray()[0]
          ?.upto ?? "",
    );
    expect(stored < (ids[0] ?? "")).toBe(true); // taken, not yet written: the window this test is about
    await crash(userStub(bob.user.id));
    // The group's next push says where its cursor stood: bob's object sees the gap and pulls.
    const [four] = await sendAll(a, chat, ["four"]);
    await settle(group.id);
    const messages = await replayed(bob.token, chat);
    const texts = messages.filter((m) => !m.system).map((m) => m.text);
    expect(texts).toEqual(["one", "two", "three", "four"]);
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
    const seqs = messages.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    // Seqs given before the crash were reserved: the ones given again are all above them.
    expect(Math.min(...messages.filter((m) => ids.includes(m.id) || m.id === four).map((m) => m.seq))).toBeGreaterThan(
      before,
    );
    stop();
    await end(a, b);
  });

  it("the group dies before writing its cursors: the pushes repeat and change nothing", async () => {
    const { admin, bob, group, chat, end } = await settledTeam(2);
    const a = await connect(admin.token);
    const stop = keepAlive([a]);
    await sendAll(a, chat, ["alpha", "beta"]);
    await settle(group.id);
    await crash(groupStub(group.id));
    // After the crash the stored cursors are behind: the next post pushes from there again.
    await sendAll(a, chat, ["gamma"]);
    await settle(group.id);
    for (const user of [admin, bob]) {
      const messages = await replayed(user.token, chat);
      expect(messages.filter((m) => !m.system).map((m) => m.text)).toEqual(["alpha", "beta", "gamma"]);
      expect(new Set(messages.map((m) => m.seq)).size).toBe(messages.length);
    }
    stop();
    await end(a);
  });

  it("a batch of receipts lost with the group comes again with the next acknowledgement", async () => {
    const { admin, bob, group, chat, end } = await settledTeam(2);
    const a = await connect(admin.token);
    const b = await connect(bob.token);
    const stop = keepAlive([a, b]);
    const [first] = await sendAll(a, chat, ["first"]);
    await b.next("message", (f) => f.message.id === first);
    // Bob's object hands its watermark to the group; the group dies before its batch leaves.
    b.send({ type: "received", ids: [first ?? ""] });
    await new Promise((r) => setTimeout(r, 300)); // bob's object gathers for 250 ms
    await crash(groupStub(group.id));
    const [second] = await sendAll(a, chat, ["second"]);
    await b.next("message", (f) => f.message.id === second);
    b.send({ type: "received", ids: [second ?? ""] });
    await a.until(
      (s) =>
        s
          .of("receipt")
          .flatMap((f) => f.ids)
          .includes(second ?? ""),
      10_000,
    );
    const acknowledged = new Set(a.of("receipt").flatMap((f) => f.ids));
    expect(acknowledged.has(first ?? "")).toBe(true);
    expect(acknowledged.has(second ?? "")).toBe(true);
    stop();
    await end(a, b);
  });
});
