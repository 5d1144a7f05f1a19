// The seq is read back on wake as the greatest stored (counters.ts): a mailbox
// with messages only (no receipts, no changes: each empty table counts as 0),
// then with a delete for me of its newest message, keeps handing out new,
// strictly increasing seqs after each eviction, and message ids keep increasing.
// The sender's id sorts first, so the chat keeps its copies whatever the run's
// HOSTED_GUEST_SEND: a guest's seqs come from a reservation instead, as a
// group member's do (docs/groups.md), and jump after a wake with no device.

import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { act, sendAndWait } from "../../test/actions";
import { senderFirst } from "../../test/copies";
import { clearAlarms } from "../../test/groups";
import { connect, userStub } from "../../test/helpers";

async function until(ok: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 20));
}

describe("the user object's counters across a wake", () => {
  it("a recipient that only receives (its clock never written) numbers on after a wake", async () => {
    const { alice, bob } = await senderFirst();
    const a = await connect(alice.token);
    const recipient = userStub(bob.user.id);
    await sendAndWait(a, `u:${bob.user.id}`, "one", "r1");
    await sendAndWait(a, `u:${bob.user.id}`, "two", "r2");
    await until(async () => (await recipient.stats()).messages === 2);
    const before = (await recipient.stats()).seq;
    await evictDurableObject(recipient);
    await sendAndWait(a, `u:${bob.user.id}`, "three", "r3");
    await until(async () => (await recipient.stats()).messages === 3);
    const seqs = (await recipient.history(`u:${alice.user.id}`, undefined, 10)).map((m) => m.seq);
    expect(seqs).toEqual([before - 1, before, before + 1]);
    a.close();
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });

  it("seqs and ids keep increasing when only messages are stored, and after the newest is deleted for me", async () => {
    const { alice, bob } = await senderFirst();
    const stub = userStub(alice.user.id);
    let a = await connect(alice.token);
    const first = await sendAndWait(a, `u:${bob.user.id}`, "one", "c1");
    a.close();
    await evictDurableObject(stub);
    a = await connect(alice.token);
    const second = await sendAndWait(a, `u:${bob.user.id}`, "two", "c2");
    expect(second.seq).toBe(first.seq + 1);
    expect(second.id > first.id).toBe(true);

    // The newest row leaves; its "removed" entry takes a newer seq, so none is handed out twice.
    const removed = await act(a, { type: "delete", clientId: "x1", id: second.id, for: "me" });
    expect(removed.type).toBe("removed");
    a.close();
    await evictDurableObject(stub);
    a = await connect(alice.token);
    const third = await sendAndWait(a, `u:${bob.user.id}`, "three", "c3");
    expect(third.seq).toBeGreaterThan(second.seq + 1);
    expect(third.id > second.id).toBe(true);
    expect((await stub.stats()).seq).toBe(third.seq);
    a.close();
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });
});
