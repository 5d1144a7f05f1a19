// A group's batch of receipts is not in the rid index (user schema step 16):
// the group hands a batch over again only after its call failed, marked
// `retry`, and only then does the sender's mailbox look for its rid. The
// first delivery may have been stored before the call failed (the answer
// lost): the retry then stores and shows nothing more.

import { describe, expect, it } from "vitest";
import { rows } from "../../test/actions";
import { register, userStub } from "../../test/helpers";
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
    const count = async () => (await rows(alice.user.id, "SELECT seq FROM receipts")).length;
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
    const stored = await rows<{ rid: string; by: string }>(alice.user.id, "SELECT rid, by FROM receipts ORDER BY seq");
    expect(stored).toEqual([
      { rid: "g.delivered.1.1", by: "*" },
      { rid: "g.delivered.1.2", by: "*" },
    ]);
  });
});
