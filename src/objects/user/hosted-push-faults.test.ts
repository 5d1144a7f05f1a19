// Crashes and failures in the host's hand-over of a hosted chat (./hosted-push.ts):
// the host's peer log moves `handed` only once the guest's take answered, and
// a guest that answered and died before writing its runs takes the entries
// again (the next push's `after`, or its sync's pull), each shown once.

import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { userStub } from "../../test/helpers";
import { guestMessage, guestRuns, hostedRows, hostedSendOn, partsOf } from "../../test/hosted";
import { hostedPair, say, shown, standing } from "../../test/hosted-push";
import { wrapDeliveries } from "../../test/outbox-faults";
import type { InboxItem } from "../inbox";

/** Whether the host's peer log still owes message `id` to the guest (`handed` is before it). */
function owed(hostId: string, guestId: string, id: string): Promise<boolean> {
  return runInDurableObject(userStub(hostId), (i) => partsOf(i).peers.isOwed(guestId, id));
}

/** The host's owed deliveries, retried now. */
function retryNow(hostId: string): Promise<void> {
  return runInDurableObject(userStub(hostId), async (i) => {
    const peers = partsOf(i).peers;
    peers.dueNow();
    await peers.retryDue();
  });
}

describe("the host's hand-over fails", () => {
  for (const lose of [false, true]) {
    it(
      lose
        ? "after the guest took it (the answer lost): handed stays, the retry is dropped by id, shown once"
        : "before the guest's object: handed stays, nothing taken; the retry hands it over once",
      async () => {
        const { host, guest, atGuest, atHost, g, h, device, end } = await hostedPair();
        const g1 = await say(g, atGuest, "g1");
        const mode = { fail: true };
        const calls: InboxItem[][] = [];
        await wrapDeliveries(host.user.id, (real) => async (target, items) => {
          calls.push(items);
          if (!mode.fail) return real(target, items);
          if (lose) await real(target, items);
          throw new Error("Network connection lost.");
        });
        const h1 = await say(h, atHost, "h1");
        await expect.poll(() => calls.length).toBeGreaterThan(0);
        if (lose) await g.until((x) => shown(x, atGuest).some(([id]) => id === h1.id));
        else expect(await standing(guest.user.id, atGuest)).toEqual([g1.id, 1]);
        expect(await owed(host.user.id, guest.user.id, h1.id)).toBe(true);
        mode.fail = false;
        await retryNow(host.user.id);
        expect(await owed(host.user.id, guest.user.id, h1.id)).toBe(false);
        await g.until((x) => shown(x, atGuest).some(([id]) => id === h1.id));
        const h2 = await say(h, atHost, "h2");
        await g.until((x) => shown(x, atGuest).some(([id]) => id === h2.id));
        expect(shown(g, atGuest).map(([id]) => id)).toEqual([g1.id, h1.id, h2.id]);
        expect(await standing(guest.user.id, atGuest)).toEqual([h2.id, 3]);
        expect(await hostedRows(guest.user.id)).toEqual([]);
        const fresh = await device(guest.token);
        expect(shown(fresh, atGuest)).toEqual(shown(g, atGuest));
        await end();
      },
    );
  }
});

describe("a guest's own message the guest has not taken, between the host's in one push", () => {
  it("makes the guest pull: the hole is taken in order, and the guest's retry answers the seq it got", async () => {
    const { host, guest, atGuest, atHost, g, h, device, end } = await hostedPair();
    const g1 = await say(g, atGuest, "g1");
    const mode = { fail: true };
    const batches: number[] = [];
    await wrapDeliveries(host.user.id, (real) => async (target, items) => {
      if (mode.fail) throw new Error("Network connection lost.");
      batches.push(items.length);
      return real(target, items);
    });
    const h1 = await say(h, atHost, "h1");
    // Stored at the host, its answer never taken by the guest (as when it is lost on the way).
    const lost = await userStub(host.user.id).appendFromGuest(guest.user.id, guestMessage("x1", 2));
    if (!lost.ok) throw new Error(lost.error.code);
    const h2 = await say(h, atHost, "h2");
    mode.fail = false;
    await retryNow(host.user.id);
    expect(batches).toEqual([2]); // h1 and h2 in one push, the guest's message between them
    await g.until((x) => shown(x, atGuest).some(([id]) => id === h2.id));
    const live = shown(g, atGuest);
    expect(live.map(([id]) => id)).toEqual([g1.id, h1.id, lost.value.id, h2.id]);
    // The guest's retry of that message answers the seq it was shown at.
    g.send({ type: "send", clientId: "x1", chat: atGuest, text: "text x1" });
    const retried = await g.next("sent", (f) => f.clientId === "x1");
    expect([retried.id, retried.seq]).toEqual(live[2]?.slice(0, 2));
    const fresh = await device(guest.token);
    expect(shown(fresh, atGuest)).toEqual(live);
    await end();
  });
});

describe("the host's change, its answer lost after the guest took it", () => {
  it("stays in the outbox; the retry is skipped by the guest's row: one update per device, the same state in a sync", async () => {
    const { host, guest, atGuest, atHost, g, h, device, end } = await hostedPair();
    await say(g, atGuest, "g1");
    const h1 = await say(h, atHost, "h1", "host one");
    await g.until((x) => shown(x, atGuest).some(([id]) => id === h1.id));
    const mode = { lose: true };
    await wrapDeliveries(host.user.id, (real) => async (target, items) => {
      await real(target, items);
      if (mode.lose) throw new Error("Network connection lost.");
    });
    h.send({ type: "edit", clientId: "e1", id: h1.id, text: "host one, edited" });
    const updated = await g.next("update", (f) => f.message.id === h1.id);
    const waiting = () => runInDurableObject(userStub(host.user.id), (i) => partsOf(i).outbox.depth());
    expect(await waiting()).toBe(1);
    mode.lose = false;
    // Past any backoff: the outbox hands the change over again, and forgets it once answered.
    await runInDurableObject(userStub(host.user.id), (i) => partsOf(i).outbox.retryDue(Date.now() + 3_600_000));
    await expect.poll(waiting).toBe(0);
    const h2 = await say(h, atHost, "h2");
    await g.until((x) => shown(x, atGuest).some(([id]) => id === h2.id));
    expect(g.of("update").filter((f) => f.message.id === h1.id)).toEqual([updated]);
    expect(await standing(guest.user.id, atGuest)).toEqual([h2.id, 4]);
    const fresh = await device(guest.token);
    expect(
      fresh
        .of("update")
        .filter((f) => f.message.id === h1.id)
        .map((f) => f.message),
    ).toEqual([updated.message]);
    expect(await hostedRows(guest.user.id)).toEqual([]);
    await end();
  });
});

describe("the guest dies after its take answered, before its runs were written", () => {
  for (const next of ["push", "sync"] as const) {
    it(`takes them again at its next ${next === "push" ? "push (its `after` is further than the row)" : "sync (a pull per wake)"}, each once`, async () => {
      const { host, guest, atGuest, atHost, g, h, device, end } = await hostedPair();
      const g1 = await say(g, atGuest, "g1"); // the row is written with the guest's own send
      const h1 = await say(h, atHost, "h1");
      const h2 = await say(h, atHost, "h2");
      await g.until((x) => shown(x, atGuest).some(([id]) => id === h2.id));
      // Answered: the host moved `handed`; taken in memory only, the stored row still at the guest's send.
      expect(await owed(host.user.id, guest.user.id, h2.id)).toBe(false);
      expect(await standing(guest.user.id, atGuest)).toEqual([h2.id, 3]);
      expect(await guestRuns(guest.user.id)).toMatchObject([{ chat: atGuest, upto: g1.id, upto_pos: 1 }]);
      const before = Math.max(...shown(g, atGuest).map(([, seq]) => seq));
      await evictDurableObject(userStub(guest.user.id));
      await hostedSendOn(guest.user.id); // the switch lives in the evicted object's env
      expect(await standing(guest.user.id, atGuest)).toEqual([g1.id, 1]);
      const expected = [g1.id, h1.id, h2.id];
      if (next === "push") {
        const h3 = await say(h, atHost, "h3");
        await expect.poll(() => standing(guest.user.id, atGuest)).toEqual([h3.id, 4]);
        expected.push(h3.id);
      }
      const fresh = await device(guest.token);
      const replayed = shown(fresh, atGuest);
      expect(replayed.map(([id]) => id)).toEqual(expected);
      // Taken again at new seqs, above what the lost life handed out (the reservation).
      expect(replayed.slice(1).every(([, seq]) => seq > before)).toBe(true);
      expect(await hostedRows(guest.user.id)).toEqual([]);
      await end();
    });
  }
});
