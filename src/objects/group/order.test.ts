// Issue 20, item 3: every device of every member receives a group's messages
// live in the group's one order (its log's id order), whatever the senders'
// own echoes and earlier traffic. Two senders, each a member with two devices
// that already chatted one-to-one, send 20 messages each, alternately and at
// once; a third member with one device listens.

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { clearAlarms, groupStub, historyOf, settle, team } from "../../test/groups";
import { connect, type TestSocket, userStub as userStubFor } from "../../test/helpers";
import type { GroupObject } from "../group-object";

const EACH = 20;

function groupIds(socket: TestSocket, chat: string): string[] {
  return socket
    .of("message")
    .filter((f) => f.message.chat === chat && !f.message.system)
    .map((f) => f.message.id);
}

describe("a group's order, live, on every device", { timeout: 90_000 }, () => {
  it("is the log's order for every member and device, senders with two devices and earlier traffic included", async () => {
    const { users, admin, rest, group, chat } = await team(3);
    const [bob, carol] = rest as [(typeof rest)[0], (typeof rest)[0]];
    const a1 = await connect(admin.token);
    const a2 = await connect(admin.token);
    const b1 = await connect(bob.token);
    const b2 = await connect(bob.token);
    const c1 = await connect(carol.token);
    const devices = [a1, a2, b1, b2, c1];
    // Earlier one-to-one traffic between the senders, and with the listener.
    for (const [from, to, key] of [
      [a1, bob, "d1"],
      [b2, admin, "d2"],
      [a2, carol, "d3"],
    ] as const) {
      from.send({ type: "send", clientId: key, chat: `u:${to.user.id}`, text: `direct ${key}` });
      await from.next("sent", (f) => f.clientId === key);
    }
    // Alternately and at once: nobody waits for an answer.
    for (let i = 0; i < EACH; i++) {
      (i % 2 === 0 ? a1 : a2).send({ type: "send", clientId: `a${i}`, chat, text: `a${i}` });
      (i % 2 === 0 ? b1 : b2).send({ type: "send", clientId: `b${i}`, chat, text: `b${i}` });
    }
    for (const d of devices) await d.until((s) => groupIds(s, chat).length === 2 * EACH, 30_000);
    await settle(group.id);
    const order = (await historyOf(admin.user.id, chat)).filter((m) => !m.system).map((m) => m.id);
    expect(order).toHaveLength(2 * EACH);
    expect([...order].sort()).toEqual(order);
    for (const [k, d] of devices.entries())
      expect({ device: k, ids: groupIds(d, chat) }).toEqual({ device: k, ids: order });
    for (const d of devices) d.close();
    await clearAlarms(
      [group.id],
      users.map((u) => u.user.id),
    );
  });

  it("keeps the order for a sender owed more than one answer carries (its deliveries failing meanwhile)", async () => {
    const { users, admin, rest, group, chat } = await team(2);
    const bob = rest[0] as (typeof rest)[0];
    await settle(group.id);
    // Deliveries to the admin's object fail, so the group owes it more and more.
    await runInDurableObject(groupStub(group.id), (object: GroupObject) => {
      const fanout = object.fanout;
      if (!fanout) throw new Error("no fan-out");
      const real = fanout.deliver;
      fanout.deliver = async (target, items, after) => {
        if (target === admin.user.id) throw new Error("injected failure");
        return real(target, items, after);
      };
    });
    const b = await connect(bob.token);
    const OWED = 130; // more than the 100 entries a post's answer carries
    for (let i = 0; i < OWED; i++) {
      if (i > 0 && i % 40 === 0) await new Promise((r) => setTimeout(r, 1000)); // the frame budget of these tests
      b.send({ type: "send", clientId: `b${i}`, chat, text: `b${i}` });
      await b.next("sent", (f) => f.clientId === `b${i}`);
    }
    const a = await connect(admin.token);
    a.send({ type: "send", clientId: "own", chat, text: "mine, after all of bob's" });
    const sent = await a.next("sent", (f) => f.clientId === "own");
    // Deliveries work again (a restarted group object has the real one); the alarm brings what is owed.
    await runInDurableObject(groupStub(group.id), (_: GroupObject, state) =>
      state.storage.sql.exec("UPDATE cursors SET next_at = 0"),
    );
    await runInDurableObject(groupStub(group.id), (object: GroupObject) => {
      const fanout = object.fanout;
      if (fanout) fanout.deliver = (target, items, after) => userStubFor(target).takeGroup(group.id, items, after);
    });
    await runDurableObjectAlarm(groupStub(group.id));
    await settle(group.id, 30_000);
    await a.until((s) => groupIds(s, chat).length === OWED + 1, 20_000);
    const order = await runInDurableObject(groupStub(group.id), (_: GroupObject, state) =>
      state.storage.sql
        .exec<{ id: string }>("SELECT id FROM log WHERE system IS NULL ORDER BY id")
        .toArray()
        .map((row) => row.id),
    );
    expect(order.at(-1)).toBe(sent.id);
    expect(groupIds(a, chat)).toEqual(order);
    a.close();
    b.close();
    await clearAlarms(
      [group.id],
      users.map((u) => u.user.id),
    );
  });
});
