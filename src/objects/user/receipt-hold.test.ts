// Receipts reaching the sender's object are shown at once and stored with the
// next commit it makes anyway, or after RECEIPT_HOLD_MS (./receipt-hold.ts).
// The sender's id sorts first: its messages are today's copies whatever
// HOSTED_GUEST_SEND, and the receipts those of copies.

import { describe, expect, it } from "vitest";
import type { ChatId } from "../../shared/protocol";
import { drainAlarms, receiptRows, rows, sendAndWait } from "../../test/actions";
import { senderFirst } from "../../test/copies";
import { crash } from "../../test/group-faults";
import { connect, userStub } from "../../test/helpers";
import { wrapDeliveries } from "../../test/outbox-faults";
import { eventually } from "../../test/presence-helpers";
import type { InboxReceipt } from "../inbox";
import { RECEIPT_HOLD_MS } from "./receipt-hold";

const stored = async (userId: string) =>
  rows<{ seq: number; rid: string; status: string }>(userId, "SELECT seq, rid, status FROM receipts ORDER BY seq");

/** Bob's object's "delivered" receipt for one of alice's messages, as it hands it over. */
function delivered(by: string, id: string): InboxReceipt {
  return { kind: "receipt", rid: `test.${id}`, chat: `u:${by}`, ids: [id], status: "delivered", by, ts: Date.now() };
}

async function pair() {
  const { alice, bob } = await senderFirst();
  const a = await connect(alice.token);
  const b = await connect(bob.token);
  const first = await sendAndWait(a, `u:${bob.user.id}`, "hello", "h1");
  await b.next("message", (f) => f.message.id === first.id);
  b.send({ type: "received", ids: [first.id] });
  await a.next("receipt", (r) => r.ids.includes(first.id));
  return { alice, bob, a, b, first };
}

describe("receipts held for a commit", () => {
  it("are shown at once and stored with the sender's next commit, not one of their own", async () => {
    const { alice, bob, a, b, first } = await pair();
    expect(await stored(alice.user.id)).toEqual([]); // shown, not yet stored
    await sendAndWait(a, `u:${bob.user.id}`, "the next send commits", "h2");
    const after = await stored(alice.user.id);
    expect(after).toEqual([{ seq: expect.any(Number), rid: expect.any(String), status: "delivered" }]);
    // Its seq is the one taken when it arrived: before the message that carried it.
    const [second] = await rows<{ seq: number }>(alice.user.id, "SELECT seq FROM messages WHERE client_id = 'h2'");
    expect(after[0]?.seq).toBeLessThan(second?.seq ?? 0);
    expect(first.seq).toBeLessThan(after[0]?.seq ?? 0);
    a.close();
    b.close();
  });

  it("are stored by a commit of their own after the wait when nothing else commits", async () => {
    const { alice, a, b } = await pair();
    const t0 = Date.now();
    await eventually(async () => (await stored(alice.user.id)).length === 1, "the held receipt stored");
    expect(Date.now() - t0).toBeLessThan(RECEIPT_HOLD_MS + 3_000);
    a.close();
    b.close();
  });

  it("are replayed by sync and shown by message info while still held", async () => {
    const { alice, bob, a, b, first } = await pair();
    const chat = `u:${bob.user.id}` as ChatId;
    const info = await userStub(alice.user.id).receiptsOf(chat, first.id);
    expect(info.ok && info.value.marks).toEqual([{ user: bob.user.id, deliveredAt: expect.any(Number), readAt: null }]);
    const other = await connect(alice.token);
    other.send({ type: "sync", after: first.seq });
    await other.next("synced");
    expect(other.of("receipt").filter((r) => r.ids.includes(first.id))).toHaveLength(1);
    a.close();
    b.close();
    other.close();
  });

  it("drop a repeat of a one-to-one receipt, held or stored: no second frame, row or seq", async () => {
    const { alice, bob } = await senderFirst();
    const a = await connect(alice.token);
    const sent = await sendAndWait(a, `u:${bob.user.id}`, "once", "r1");
    const stub = userStub(alice.user.id);
    const receipt = delivered(bob.user.id, sent.id);
    await stub.accept([receipt]);
    const seq = (await stub.stats()).seq;
    await stub.accept([{ ...receipt, retry: true }]); // from the reader's outbox after a lost answer, while held
    expect((await stub.stats()).seq).toBe(seq);
    await sendAndWait(a, `u:${bob.user.id}`, "commits the held one", "r2");
    await stub.accept([{ ...receipt, retry: true }]); // and once stored
    expect((await stored(alice.user.id)).map((r) => r.rid)).toEqual([receipt.rid]);
    await new Promise((r) => setTimeout(r, 100));
    expect(a.of("receipt").filter((r) => r.ids.includes(sent.id))).toHaveLength(1);
    a.close();
  });

  it("drop the reader's outbox retry of a receipt whose first call arrived but whose answer was lost", async () => {
    const { alice, bob } = await senderFirst();
    const a = await connect(alice.token);
    const b = await connect(bob.token);
    let calls = 0;
    await wrapDeliveries(bob.user.id, (real) => async (target, items) => {
      const answer = await real(target, items);
      if (items.some((item) => item.kind === "receipt") && calls++ === 0) throw new Error("injected: answer lost");
      return answer;
    });
    const sent = await sendAndWait(a, `u:${bob.user.id}`, "receipted once", "l1");
    await b.next("message", (f) => f.message.id === sent.id);
    b.send({ type: "received", ids: [sent.id] });
    await a.next("receipt", (r) => r.ids.includes(sent.id));
    await sendAndWait(a, `u:${bob.user.id}`, "a commit: the held receipt is stored", "l2");
    expect(await rows(alice.user.id, "SELECT seq FROM receipts")).toHaveLength(1);
    // The outbox tries again (marked `retry`) once its backoff ends; alice's object finds it stored.
    await drainAlarms(bob.user.id);
    await eventually(async () => (await userStub(bob.user.id).stats()).outbox === 0, "bob's outbox confirmed");
    expect(calls).toBe(2); // the first, whose answer was lost, and the outbox's retry
    await new Promise((r) => setTimeout(r, 100));
    expect(a.of("receipt").filter((r) => r.ids.includes(sent.id))).toHaveLength(1);
    expect(await receiptRows(alice.user.id, "SELECT seq FROM receipts")).toHaveLength(1);
    a.close();
    b.close();
  });

  it("a crash with a receipt held loses that tick only: the messages stay, and seqs go on without a duplicate", async () => {
    const { alice, bob } = await senderFirst();
    const a = await connect(alice.token);
    const first = await sendAndWait(a, `u:${bob.user.id}`, "before the crash", "c1");
    a.close();
    await new Promise((r) => setTimeout(r, 100)); // the last device gone: what was held is written
    const stub = userStub(alice.user.id);
    const receipt = delivered(bob.user.id, first.id);
    await stub.accept([receipt]);
    await crash(stub); // memory lost, the held receipt with it
    expect(await stored(alice.user.id)).toEqual([]);
    const again = await connect(alice.token);
    const next = await sendAndWait(again, `u:${bob.user.id}`, "after the crash", "c2");
    const messages = await rows<{ seq: number; id: string }>(
      alice.user.id,
      "SELECT seq, id FROM messages ORDER BY seq",
    );
    expect(messages.map((m) => m.id)).toEqual([first.id, next.id]);
    expect(next.seq).toBeGreaterThan(first.seq);
    again.close();
  });
});
