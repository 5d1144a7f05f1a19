// A delivery cut short by a restart (the process died while the RPC was in
// flight) resumes as soon as the sender's object wakes again, for whatever
// reason (a device reconnecting, a message arriving), not only when its
// safety-net alarm fires. Here the alarm is removed, so only the wake can
// deliver. The sender's id sorts first: today's copies whatever HOSTED_GUEST_SEND
// (a hosted chat's wake: user/hosted-push-wake-faults.test.ts).

import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { senderFirst } from "../test/copies";
import { clearAlarms } from "../test/groups";
import { connect, userStub } from "../test/helpers";
import { wrapDeliveries } from "../test/outbox-faults";
import { eventually } from "../test/presence-helpers";

describe("the outbox after a restart", () => {
  it("delivers what was in flight when the object wakes, once, without its alarm", async () => {
    const { alice, bob } = await senderFirst();
    const sender = userStub(alice.user.id);
    // The first delivery never answers, as if the process died during the call.
    await wrapDeliveries(alice.user.id, () => async () => {
      throw new Error("injected: died mid-delivery");
    });
    const a = await connect(alice.token);
    a.send({ type: "send", clientId: "r1", chat: `u:${bob.user.id}`, text: "after the restart" });
    const sent = await a.next("sent");
    await eventually(async () => (await sender.stats()).outbox === 1, "the failed delivery owed");
    a.close();
    expect((await userStub(bob.user.id).stats()).messages).toBe(0);

    // The row is due again and no alarm is left: only a wake can deliver it.
    await runInDurableObject(sender, async (_instance, state) => {
      state.storage.sql.exec("UPDATE outbox SET next_at = 0");
      await state.storage.deleteAlarm();
    });
    await evictDurableObject(sender);

    await sender.stats(); // any call wakes it: a device reconnecting, a message arriving
    await eventually(async () => (await sender.stats()).outbox === 0, "the delivery after the wake");
    const history = await userStub(bob.user.id).history(`u:${alice.user.id}`, undefined, 10);
    expect(history.map((m) => [m.id, m.text])).toEqual([[sent.id, "after the restart"]]);
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });
});
