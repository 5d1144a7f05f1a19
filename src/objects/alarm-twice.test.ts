// The runtime delivers alarms at least once: after a crash or an error an
// alarm runs again, and a retry can overlap a delivery already under way. So
// an alarm may fire twice. Here it does, on purpose, at once and then once
// more, after a delivery that failed before or after the recipient stored it:
// every message must arrive exactly once and nothing may stay owed. The
// one-to-one sender's id sorts first (today's copies whatever HOSTED_GUEST_SEND);
// a hosted chat's push (entries to the guest, user/hosted-push.ts) is tried too.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AuthAnswer } from "../shared/protocol";
import { senderFirst } from "../test/copies";
import { clearAlarms, groupStub, historyOf, settle, team } from "../test/groups";
import { connect, userStub } from "../test/helpers";
import { hostedRows } from "../test/hosted";
import { hostedPair, say, shown } from "../test/hosted-push";
import { peersDueNow, wrapDeliveries } from "../test/outbox-faults";
import type { GroupObject } from "./group-object";
import type { UserObject } from "./user-object";

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Makes every retry due now and removes the runtime's own alarm: the test's calls are the alarm. */
async function dueNowWithoutAlarm(stub: DurableObjectStub, table: "outbox" | "cursors"): Promise<void> {
  await runInDurableObject(stub, async (_instance, state) => {
    state.storage.sql.exec(`UPDATE ${table} SET next_at = 0 WHERE attempts > 0`);
    await state.storage.deleteAlarm();
  });
}

describe("an alarm that fires twice", { timeout: 60_000 }, () => {
  for (const when of ["before", "after"] as const) {
    it(`one-to-one outbox, delivery failed ${when} the recipient stored it: arrives once, outbox empties`, async () => {
      const { alice, bob } = await senderFirst();
      const sender = userStub(alice.user.id);
      let calls = 0;
      await wrapDeliveries(alice.user.id, (real) => async (target, items) => {
        calls += 1;
        if (calls === 1) {
          if (when === "after") await real(target, items); // stored, but the answer is lost
          throw new Error("injected: no answer");
        }
        return real(target, items);
      });
      const a = await connect(alice.token);
      a.send({ type: "send", clientId: "t1", chat: `u:${bob.user.id}`, text: "twice" });
      await a.next("sent");
      await until(async () => calls === 1 && (await sender.stats()).outbox === 1);

      // The message is owed from alice's mailbox itself (user/peer-log.ts), its backoff in memory.
      await dueNowWithoutAlarm(sender as unknown as DurableObjectStub, "outbox");
      await peersDueNow(alice.user.id);
      await runInDurableObject(sender, (instance: UserObject) => Promise.all([instance.alarm(), instance.alarm()]));
      await runInDurableObject(sender, (instance: UserObject) => instance.alarm());

      // The second alarm joined the delivery in flight; the third found nothing owed.
      expect(calls).toBe(2);
      expect((await sender.stats()).outbox).toBe(0);
      const history = await userStub(bob.user.id).history(`u:${alice.user.id}`, undefined, 10);
      expect(history.map((m) => m.text)).toEqual(["twice"]);
      expect((await userStub(bob.user.id).stats()).messages).toBe(1);
      a.close();
      await clearAlarms([], [alice.user.id, bob.user.id]);
    });
  }

  for (const when of ["before", "after"] as const) {
    it(`hosted one-to-one, the host's push failed ${when} the guest took it: shown once, nothing owed`, async () => {
      const { host, guest, atGuest, atHost, g, h, device, end } = await hostedPair();
      const g1 = await say(g, atGuest, "g1"); // the chat is hosted from here: the host's messages go as entries
      const sender = userStub(host.user.id);
      let calls = 0;
      await wrapDeliveries(host.user.id, (real) => async (target, items) => {
        calls += 1;
        if (calls === 1) {
          if (when === "after") await real(target, items); // taken, but the answer is lost
          throw new Error("injected: no answer");
        }
        return real(target, items);
      });
      const twice = await say(h, atHost, "twice");
      await until(async () => calls === 1 && (await sender.stats()).outbox === 1);

      await dueNowWithoutAlarm(sender as unknown as DurableObjectStub, "outbox");
      await peersDueNow(host.user.id);
      await runInDurableObject(sender, (instance: UserObject) => Promise.all([instance.alarm(), instance.alarm()]));
      await runInDurableObject(sender, (instance: UserObject) => instance.alarm());

      expect(calls).toBe(2);
      expect((await sender.stats()).outbox).toBe(0);
      await g.until((x) => shown(x, atGuest).some(([id]) => id === twice.id));
      expect(shown(g, atGuest).map(([id]) => id)).toEqual([g1.id, twice.id]);
      expect(await hostedRows(guest.user.id)).toEqual([]);
      const fresh = await device(guest.token);
      expect(shown(fresh, atGuest)).toEqual(shown(g, atGuest));
      await end();
    });
  }

  it("group fan-out, a member's delivery failed after storing: every member has it once, nothing owed", async () => {
    const { users, admin, rest, group, chat } = await team(3);
    await settle(group.id);
    const stub = groupStub(group.id);
    const victim = (rest[0] as AuthAnswer).user.id;
    let calls = 0;
    await runInDurableObject(stub, (object: GroupObject) => {
      const fanout = object.fanout;
      if (!fanout) throw new Error("no fan-out");
      const real = fanout.deliver;
      fanout.deliver = async (target, items, after) => {
        if (target !== victim) return real(target, items, after);
        calls += 1;
        if (calls === 1) {
          await real(target, items, after);
          throw new Error("injected: no answer");
        }
        return real(target, items, after);
      };
    });
    const a = await connect(admin.token);
    a.send({ type: "send", clientId: "g1", chat, text: "to all, once" });
    await a.next("sent");
    await until(async () => calls === 1 && !(await groupStub(group.id).stats()).busy);
    expect((await groupStub(group.id).stats()).behind).toBe(1);

    await dueNowWithoutAlarm(stub as DurableObjectStub, "cursors");
    await runInDurableObject(stub, (object: GroupObject) => Promise.all([object.alarm(), object.alarm()]));
    await settle(group.id);
    await runInDurableObject(stub, (object: GroupObject) => object.alarm());
    await settle(group.id);

    expect(calls).toBe(2);
    for (const user of users) {
      const texts = (await historyOf(user.user.id, chat)).map((m) => m.text);
      expect(texts.filter((t) => t === "to all, once")).toHaveLength(1);
      expect(new Set((await historyOf(user.user.id, chat)).map((m) => m.id)).size).toBe(texts.length);
    }
    a.close();
    await clearAlarms(
      [group.id],
      users.map((u) => u.user.id),
    );
  });
});
