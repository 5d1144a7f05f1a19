// Sync in the real Workers runtime (./sync.ts, ./frames/sync.ts): what a device
// replays after its cursor, one frame at a time or batched, and receipts kept
// for an offline sender. Senders' ids sort first: today's copies whatever HOSTED_GUEST_SEND.

import { describe, expect, it } from "vitest";
import { REPLAY_FRAME_BYTES, REPLAY_FRAME_ENTRIES_MAX, SYNC_BATCH, TEXT_MAX } from "../../shared/limits";
import { drainAlarms, sendAndWait } from "../../test/actions";
import { senderFirst } from "../../test/copies";
import { connect, register, userStub } from "../../test/helpers";
import type { InboxItem } from "../inbox";

/** `count` one-to-one messages from `sender` as its object would deliver them, with increasing ids. */
function deliveredFrom(sender: string, count: number, text: (i: number) => string): InboxItem[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: "message",
    id: `${(1e12 + i).toString(36).padStart(9, "0")}0000${sender}`,
    chat: `u:${sender}`,
    from: sender,
    text: text(i),
    ts: 1e12 + i,
  }));
}

describe("sync", () => {
  it("replays everything after the cursor, across batches, then synced", async () => {
    const { alice, bob } = await senderFirst();
    const total = SYNC_BATCH + 20;
    const items = deliveredFrom(alice.user.id, total, (i) => `m${i}`);
    await userStub(bob.user.id).accept(items);
    await userStub(bob.user.id).accept(items.slice(0, 10)); // a redelivery stores nothing
    const b = await connect(bob.token);
    b.send({ type: "sync", after: 0 });
    const synced = await b.next("synced");
    expect(synced.seq).toBe(total);
    expect(b.of("message").map((f) => f.message.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    b.send({ type: "sync", after: total - 5 });
    await b.until((s) => s.of("synced").length === 2);
    expect(
      b
        .of("message")
        .slice(total)
        .map((f) => f.message.text),
    ).toEqual(items.slice(-5).map((i) => (i as { text: string }).text));
    b.close();
  });

  it("with batch: the same entries in the same order, many to a replay frame, then synced", async () => {
    const { alice, bob } = await senderFirst();
    const total = SYNC_BATCH + 20;
    // Some long texts, so that the size bound cuts frames as well as the count bound.
    const items = deliveredFrom(alice.user.id, total, (i) => (i % 50 === 0 ? "y".repeat(TEXT_MAX) : `m${i}`));
    items.push({
      kind: "receipt",
      rid: `r-${alice.user.id}`,
      chat: `u:${alice.user.id}`,
      ids: ["x"],
      status: "read",
      by: alice.user.id,
      ts: 2e12,
    });
    await userStub(bob.user.id).accept(items);
    const plain = await connect(bob.token);
    plain.send({ type: "sync", after: 0 });
    const plainSynced = await plain.next("synced");
    const one = plain.frames.filter((f) => typeof f !== "string" && (f.type === "message" || f.type === "receipt"));
    const batched = await connect(bob.token);
    batched.send({ type: "sync", after: 0, batch: true });
    const batchedSynced = await batched.next("synced");
    const replays = batched.of("replay");
    expect(batched.of("message")).toEqual([]);
    expect(replays.flatMap((r) => r.frames)).toEqual(one);
    expect(one).toHaveLength(total + 1);
    expect(batchedSynced.seq).toBe(plainSynced.seq);
    expect(replays.length).toBeGreaterThan(Math.ceil(one.length / REPLAY_FRAME_ENTRIES_MAX));
    for (const r of replays) {
      expect(r.frames.length).toBeLessThanOrEqual(REPLAY_FRAME_ENTRIES_MAX);
      expect(JSON.stringify(r).length).toBeLessThan(REPLAY_FRAME_BYTES + 2 * TEXT_MAX);
    }
    plain.close();
    batched.close();
  });

  it("a sync whose batch is not true or false is refused, and replays nothing", async () => {
    const bob = await register();
    const b = await connect(bob.token);
    b.send({ type: "sync", after: 0, batch: "yes" });
    const error = await b.next("error");
    expect(error.code).toBe("invalid_field");
    b.send("ping");
    await b.until((s) => s.frames.includes("pong"));
    expect(b.of("synced")).toEqual([]);
    expect(b.of("replay")).toEqual([]);
    b.close();
  });

  it("replays receipts stored for an offline sender", async () => {
    const { alice, bob } = await senderFirst();
    const a = await connect(alice.token);
    const sent = await sendAndWait(a, `u:${bob.user.id}`, "read me", "r1");
    a.close();
    await a.waitClosed();
    const b = await connect(bob.token);
    b.send({ type: "read", chat: `u:${alice.user.id}`, upTo: sent.id });
    const stub = userStub(bob.user.id);
    for (let i = 0; i < 50 && (await stub.stats()).outbox > 0; i++) await new Promise((r) => setTimeout(r, 20));
    const again = await connect(alice.token);
    again.send({ type: "sync", after: sent.seq });
    await again.next("synced");
    expect(again.of("receipt")).toEqual([
      expect.objectContaining({ chat: `u:${bob.user.id}`, ids: [sent.id], status: "read", by: bob.user.id }),
    ]);
    await drainAlarms(alice.user.id);
    await drainAlarms(bob.user.id);
    again.close();
    b.close();
  });
});
