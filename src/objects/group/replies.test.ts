// Replies in groups, in the real Workers runtime: the quote reaches every
// member; a quote of a system message or of another chat's message is
// refused; a deleted message's text survives in no quote of a sync. Edits and
// deletes are in ./changes.test.ts.

import { describe, expect, it } from "vitest";
import { act, sendAndWait } from "../../test/actions";
import { clearAlarms, groupStub, historyOf, settle, team } from "../../test/groups";
import { connect, type TestSocket } from "../../test/helpers";

function closeAll(sockets: TestSocket[]) {
  for (const s of sockets) s.close();
}

describe("group replies", { timeout: 60_000 }, () => {
  it("carry the quote to every member; quoting a system message or another chat's message is refused", async () => {
    const { users, admin, group, chat } = await team(3);
    const [a, b] = (await Promise.all(users.slice(0, 2).map((u) => connect(u.token)))) as [TestSocket, TestSocket];
    const first = await sendAndWait(a, chat, "a question", "m1");
    await settle(group.id);
    await b.next("message", (f) => f.message.id === first.id);
    const reply = await sendAndWait(b, chat, "an answer", "r1", first.id);
    await settle(group.id);
    for (const user of users) {
      const stored = (await historyOf(user.user.id, chat)).find((m) => m.id === reply.id);
      expect(stored?.replyTo).toEqual({ id: first.id, from: admin.user.id, excerpt: "a question" });
    }
    const [created] = await historyOf(admin.user.id, chat);
    const other = await sendAndWait(a, `u:${users[2]?.user.id}`, "direct", "d1");
    expect(await act(b, { type: "send", clientId: "r2", chat, text: "x", replyTo: created?.id })).toMatchObject({
      code: "invalid_reply",
    });
    expect(await act(a, { type: "send", clientId: "r3", chat, text: "x", replyTo: other.id })).toMatchObject({
      code: "invalid_reply",
    });
    await settle(group.id);
    expect((await groupStub(group.id).stats()).log).toBe(3);
    closeAll([a, b]);
    await clearAlarms(
      [group.id],
      users.map((u) => u.user.id),
    );
  });

  it("a deleted message's text survives in no quote of a sync served from the entries taken since the wake", async () => {
    const { users, group, chat } = await team(2);
    const [a, b] = (await Promise.all(users.map((u) => connect(u.token)))) as [TestSocket, TestSocket];
    const first = await sendAndWait(a, chat, "secret words", "m1");
    await b.next("message", (f) => f.message.id === first.id);
    const reply = await sendAndWait(b, chat, "what?", "r1", first.id);
    await a.next("message", (f) => f.message.id === reply.id);
    await act(a, { type: "delete", clientId: "d1", id: first.id, for: "everyone" });
    await settle(group.id);
    await b.next("update", (f) => f.message.id === first.id);
    for (const user of users) {
      const fresh = await connect(user.token);
      fresh.send({ type: "sync", after: 0 });
      await fresh.next("synced");
      fresh.close();
      expect(JSON.stringify(fresh.frames)).not.toContain("secret");
    }
    closeAll([a, b]);
    await clearAlarms(
      [group.id],
      users.map((u) => u.user.id),
    );
  });
});
