// The mailbox as the outbox of one-to-one messages (peer-log.ts), under
// faults, in the Workers runtime. The sender's object "dies" (its memory is
// lost: evictDurableObject) at each point between two writes of the path:
//   1. the send block committed (`sent` answered), no delivery attempt got through;
//   2. the recipient stored the message, its answer was lost;
//   3. the answer arrived, the confirmed position was not stored yet;
// and in each case the recipient ends with the message exactly once, without
// the safety-net alarm (a wake resumes), and nothing stays owed. A delete for
// me of a message still owed hands its delivery to the outbox. The sender's
// id sorts first, so the chat keeps today's copies whatever HOSTED_GUEST_SEND;
// the same deaths in a hosted chat: ./hosted-push-wake-faults.test.ts.

import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { act, handed, sendAndWait } from "../../test/actions";
import { senderFirst } from "../../test/copies";
import { clearAlarms } from "../../test/groups";
import { connect, userStub } from "../../test/helpers";
import { wrapDeliveries } from "../../test/outbox-faults";
import { eventually } from "../../test/presence-helpers";

type Death = "before the recipient stored it" | "after the recipient stored it" | "after the answer";

async function dieAndWake(death: Death) {
  const { alice, bob } = await senderFirst();
  const sender = userStub(alice.user.id);
  let calls = 0;
  await wrapDeliveries(alice.user.id, (real) => async (target, items) => {
    calls += 1;
    if (death === "before the recipient stored it") throw new Error("injected: died mid-delivery");
    const answer = await real(target, items);
    if (death === "after the recipient stored it") throw new Error("injected: the answer was lost");
    return answer;
  });
  const a = await connect(alice.token);
  const sent = await sendAndWait(a, `u:${bob.user.id}`, `died ${death}`, "p1");
  await eventually(async () => calls === 1, "the first delivery attempt");
  if (death === "after the answer") {
    // Confirmed in memory; the chat row still says nothing was handed.
    await eventually(async () => (await sender.stats()).outbox === 0, "the confirmation");
    expect(await handed(alice.user.id, `u:${bob.user.id}`)).toBe(null);
  } else {
    expect((await sender.stats()).outbox).toBe(1);
  }
  // The process dies: memory is gone, and so is the alarm (only a wake can deliver now).
  await runInDurableObject(sender, (_instance, state) => state.storage.deleteAlarm());
  await evictDurableObject(sender);
  a.close();

  await sender.stats(); // any call wakes it
  await eventually(async () => (await sender.stats()).outbox === 0, "nothing owed after the wake");
  await eventually(
    async () => (await userStub(bob.user.id).history(`u:${alice.user.id}`, undefined, 10)).length === 1,
    "the message at the recipient",
  );
  const history = await userStub(bob.user.id).history(`u:${alice.user.id}`, undefined, 10);
  expect(history.map((m) => [m.id, m.text])).toEqual([[sent.id, `died ${death}`]]);
  expect((await userStub(bob.user.id).stats()).messages).toBe(1);
  // The sender's mailbox has it once too, and a retried send stores nothing.
  expect((await sender.history(`u:${bob.user.id}`, undefined, 10)).map((m) => m.id)).toEqual([sent.id]);
  await clearAlarms([], [alice.user.id, bob.user.id]);
}

/** Alice connected, her deliveries to Bob failing until `recover`: then her object dies, her device leaves, and a call wakes it. */
async function peerDown() {
  const { alice, bob } = await senderFirst();
  const sender = userStub(alice.user.id);
  let down = true;
  await wrapDeliveries(alice.user.id, (real) => async (target, items) => {
    if (down) throw new Error("injected: recipient down");
    return real(target, items);
  });
  const a = await connect(alice.token);
  const recover = async () => {
    down = false;
    await evictDurableObject(sender);
    a.close();
    await sender.stats();
  };
  return { alice, bob, sender, a, recover };
}

describe("one-to-one delivery from the mailbox, when the sender dies", { timeout: 30_000 }, () => {
  for (const death of [
    "before the recipient stored it",
    "after the recipient stored it",
    "after the answer",
  ] as const) {
    it(`${death}: delivered once after the wake, nothing owed`, () => dieAndWake(death));
  }

  it("keeps order and delivers everything sent while the peer was down, once", async () => {
    const { alice, bob, sender, a, recover } = await peerDown();
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await sendAndWait(a, `u:${bob.user.id}`, `m${i}`, `k${i}`));
    await eventually(async () => (await sender.stats()).outbox === 5, "five owed");
    await recover();
    await eventually(async () => (await sender.stats()).outbox === 0, "nothing owed");
    const history = await userStub(bob.user.id).history(`u:${alice.user.id}`, undefined, 10);
    expect(history.map((m) => m.id)).toEqual(sent.map((s) => s.id));
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });

  it("a delete for me of a message still owed: the peer gets it once all the same", async () => {
    const { alice, bob, sender, a, recover } = await peerDown();
    const sent = await sendAndWait(a, `u:${bob.user.id}`, "gone for me only", "d1");
    await eventually(async () => (await sender.stats()).outbox === 1, "owed");
    const removed = await act(a, { type: "delete", clientId: "x1", id: sent.id, for: "me" });
    expect(removed.type).toBe("removed");
    expect(await sender.history(`u:${bob.user.id}`, undefined, 10)).toEqual([]);
    await recover();
    await eventually(
      async () => (await userStub(bob.user.id).history(`u:${alice.user.id}`, undefined, 10)).length === 1,
      "delivered by the outbox",
    );
    const history = await userStub(bob.user.id).history(`u:${alice.user.id}`, undefined, 10);
    expect(history.map((m) => [m.id, m.text])).toEqual([[sent.id, "gone for me only"]]);
    await eventually(async () => (await sender.stats()).outbox === 0, "nothing owed");
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });

  it("a peer caught up stays known: what follows its stored position arrives once and in order, a failure included", async () => {
    const { alice, bob } = await senderFirst();
    const sender = userStub(alice.user.id);
    let failNext = false;
    await wrapDeliveries(alice.user.id, (real) => async (target, items) => {
      if (failNext) {
        failNext = false;
        throw new Error("injected: recipient down once");
      }
      return real(target, items);
    });
    const a = await connect(alice.token);
    const first = await sendAndWait(a, `u:${bob.user.id}`, "m0", "c0");
    await eventually(async () => (await sender.stats()).outbox === 0, "the first confirmed");
    // The next write batch stores the confirmed position; the peer stays in memory, caught up.
    const second = await sendAndWait(a, `u:${bob.user.id}`, "m1", "c1");
    await eventually(async () => (await sender.stats()).outbox === 0, "the second confirmed");
    failNext = true;
    const rest = [];
    for (let i = 2; i < 5; i++) rest.push(await sendAndWait(a, `u:${bob.user.id}`, `m${i}`, `c${i}`));
    await eventually(async () => (await sender.stats()).outbox === 0, "nothing owed after the retry", 15_000);
    expect(await handed(alice.user.id, `u:${bob.user.id}`)).not.toBe(null);
    const history = await userStub(bob.user.id).history(`u:${alice.user.id}`, undefined, 10);
    expect(history.map((m) => m.text)).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    expect(history.map((m) => m.id)).toEqual([first.id, second.id, ...rest.map((r) => r.id)]);
    a.close();
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });
});
