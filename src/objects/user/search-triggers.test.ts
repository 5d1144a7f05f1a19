// The search index (./search-triggers.ts) following the actions of
// ./actions.test.ts in both mailboxes of a one-to-one chat, in the real
// Workers runtime.

import { describe, expect, it } from "vitest";
import { act, closeAll, drainAlarms, pair, sendAndWait } from "../../test/actions";
import { userStub } from "../../test/helpers";

describe("the search index", () => {
  it("follows edits and deletes in every mailbox: old words gone, new words found, deleted text unfindable", async () => {
    const { alice, bob, a, b, toBob, toAlice } = await pair();
    const one = await sendAndWait(a, toBob, "meet at the harbour", "m1");
    const two = await sendAndWait(a, toBob, "bring the lanterns", "m2");
    const mine = await sendAndWait(b, toAlice, "pelicans everywhere", "m3");
    await b.next("message", (f) => f.message.id === two.id);
    await act(a, { type: "edit", clientId: "e1", id: one.id, text: "meet at the lighthouse" });
    await act(a, { type: "delete", clientId: "d1", id: two.id, for: "everyone" });
    await act(a, { type: "delete", clientId: "d2", id: mine.id, for: "me" });
    await drainAlarms(alice.user.id);
    await drainAlarms(bob.user.id);
    const find = async (userId: string, word: string) => {
      const found = await userStub(userId).search({ words: [word], limit: 10 });
      if (!found.ok) throw new Error(found.error.code);
      return found.value.map((m) => m.id);
    };
    for (const user of [alice, bob]) {
      expect(await find(user.user.id, "harbour")).toEqual([]);
      expect(await find(user.user.id, "lighthouse")).toEqual([one.id]);
      expect(await find(user.user.id, "lanterns")).toEqual([]);
    }
    expect(await find(alice.user.id, "pelicans")).toEqual([]);
    expect(await find(bob.user.id, "pelicans")).toEqual([mine.id]);
    closeAll(a, b);
  });
});
