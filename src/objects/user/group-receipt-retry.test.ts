// A group's batch of receipts is not in the rid index (user schema step 16):
// the group hands a batch over again only after its call failed, marked
// `retry`, and only then does the sender's mailbox look for its rid. The
// first delivery may have been stored before the call failed (the answer
// lost): the retry then stores and shows nothing more.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { receiptRows } from "../../test/actions";
import { clearAlarms, groupStub, settle, team } from "../../test/groups";
import { connect, register, userStub } from "../../test/helpers";
import { eventually } from "../../test/presence-helpers";
import type { SendReceipts } from "../group/receipts";
import type { GroupObject } from "../group-object";
import type { InboxReceipts } from "../inbox";

describe("a group's receipt batch handed over again", () => {
  it("is stored once when the first try got through, and stored when it did not", async () => {
    const alice = await register();
    const stub = userStub(alice.user.id);
    const chat = "g:0123456789abcdef" as const;
    const batch = (rid: string, retry?: true): InboxReceipts => ({
      kind: "receipts",
      rid,
      chat,
      status: "delivered",
      ts: Date.now(),
      readers: { bob: ["m1"], carol: ["m1"] },
      ...(retry ? { retry } : {}),
    });
    const count = async () => (await receiptRows(alice.user.id, "SELECT seq FROM receipts")).length;
    await stub.accept([batch("g.delivered.1.1")]);
    expect(await count()).toBe(1);
    const seq = (await stub.stats()).seq;
    // The answer was lost, the group tries again: nothing more, not even a seq.
    await stub.accept([batch("g.delivered.1.1", true)]);
    expect(await count()).toBe(1);
    expect((await stub.stats()).seq).toBe(seq);
    // The first try never arrived: the retry is stored.
    await stub.accept([batch("g.delivered.1.2", true)]);
    expect(await count()).toBe(2);
    const stored = await receiptRows<{ rid: string; by: string }>(
      alice.user.id,
      "SELECT rid, by FROM receipts ORDER BY seq",
    );
    expect(stored).toEqual([
      { rid: "g.delivered.1.1", by: "*" },
      { rid: "g.delivered.1.2", by: "*" },
    ]);
  });

  it("the group's call stored the batch but its answer was lost: the retry stores and shows nothing more", async () => {
    const { admin, rest, group, chat } = await team(2);
    const bob = rest[0] as (typeof rest)[0];
    await settle(group.id);
    let calls = 0;
    await runInDurableObject(groupStub(group.id), (object: GroupObject) => {
      const receipts = (object as unknown as { parts: { receipts: { send: SendReceipts } } }).parts.receipts;
      const real = receipts.send;
      receipts.send = async (sender, items) => {
        calls += 1;
        const answer = await real(sender, items);
        if (calls === 1) throw new Error("injected: the answer was lost");
        return answer;
      };
    });
    const a = await connect(admin.token);
    const b = await connect(bob.token);
    a.send({ type: "send", clientId: "once", chat, text: "receipt once" });
    const sent = await a.next("sent", (f) => f.clientId === "once");
    await b.next("message", (f) => f.message.id === sent.id);
    b.send({ type: "received", ids: [sent.id] });
    await a.next("receipt", (f) => f.ids.includes(sent.id));
    // The group tries again after its backoff (a second), marked `retry`.
    await eventually(async () => calls >= 2, "the retry");
    await new Promise((r) => setTimeout(r, 200));
    const batches = await receiptRows<{ by: string }>(admin.user.id, "SELECT by FROM receipts WHERE chat = ?", chat);
    expect(batches).toEqual([{ by: "*" }]);
    expect(a.of("receipt").filter((f) => f.ids.includes(sent.id))).toHaveLength(1);
    a.close();
    b.close();
    await clearAlarms([group.id], [admin.user.id, bob.user.id]);
  });
});
