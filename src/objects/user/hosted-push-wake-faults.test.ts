// The host of a hosted chat dies while its own messages are owed to the guest
// (./peer-log.test.ts for today's copies): at each point between two writes
// of the hand-over (nothing got through; the guest took them and the answer
// was lost; the answer arrived and `handed` was not stored yet), and while the
// guest is unreachable with the guest's own sends between the host's. The
// alarm is gone, so only the host's wake can deliver; the guest shows each
// message once, in the log's order, and stores no message row.

import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { handed, rows } from "../../test/actions";
import { userStub } from "../../test/helpers";
import { hostedRows } from "../../test/hosted";
import { hostedPair, say, shown } from "../../test/hosted-push";
import { wrapDeliveries } from "../../test/outbox-faults";

/** The host's process dies (memory and alarm gone; `abort`: nothing waiting is written either) and a call wakes it. */
async function dieAndWake(hostId: string, abort = false): Promise<void> {
  const stub = userStub(hostId);
  await runInDurableObject(stub, (_instance, state) => state.storage.deleteAlarm());
  if (abort)
    await runInDurableObject(stub, (_instance, state) => state.abort("injected: the process dies")).catch(() => {});
  else await evictDurableObject(stub);
  await userStub(hostId).stats(); // any call wakes it (the stub that aborted stays broken)
}

/** The host's chat row of the guest as stored: its newest own message. */
async function lastOwn(hostId: string, chat: string): Promise<string | null | undefined> {
  return (await rows<{ last_own: string | null }>(hostId, "SELECT last_own FROM chats WHERE chat = ?", chat))[0]
    ?.last_own;
}

describe("a host that dies while its messages are owed to its guest", { timeout: 30_000 }, () => {
  for (const death of ["before the guest took it", "after the guest took it", "after the answer"] as const) {
    it(`${death}: shown once after the wake, nothing owed, no row at the guest`, async () => {
      const { host, guest, atGuest, atHost, g, h, device, end } = await hostedPair();
      const g1 = await say(g, atGuest, "g1"); // the chat is hosted from here
      const stub = userStub(host.user.id);
      let calls = 0;
      await wrapDeliveries(host.user.id, (real) => async (target, items) => {
        calls += 1;
        if (death === "before the guest took it") throw new Error("injected: died mid-delivery");
        const answer = await real(target, items);
        if (death === "after the guest took it") throw new Error("injected: the answer was lost");
        return answer;
      });
      const h1 = await say(h, atHost, "h1");
      await expect.poll(() => calls).toBe(1);
      if (death === "after the answer") {
        await expect.poll(async () => (await stub.stats()).outbox).toBe(0);
        expect(await handed(host.user.id, atHost)).not.toBe(h1.id);
      } else {
        expect((await stub.stats()).outbox).toBe(1);
      }
      h.close();
      await dieAndWake(host.user.id);
      await expect.poll(async () => (await stub.stats()).outbox).toBe(0);
      await g.until((x) => shown(x, atGuest).some(([id]) => id === h1.id));
      expect(shown(g, atGuest).map(([id]) => id)).toEqual([g1.id, h1.id]);
      expect(await hostedRows(guest.user.id)).toEqual([]);
      expect((await stub.history(atHost, undefined, 10)).map((m) => m.id)).toEqual([g1.id, h1.id]);
      const fresh = await device(guest.token);
      expect(shown(fresh, atGuest)).toEqual(shown(g, atGuest));
      await end();
    });
  }

  it("the guest unreachable, its own sends between the host's: all in the log's order, each once", async () => {
    const { host, guest, atGuest, atHost, g, h, device, end } = await hostedPair();
    // A stub that reached the aborted object stays broken: a new one for each call.
    const stub = () => userStub(host.user.id);
    let down = true;
    await wrapDeliveries(host.user.id, (real) => async (target, items) => {
      if (down) throw new Error("injected: guest down");
      return real(target, items);
    });
    const order = [(await say(g, atGuest, "g0")).id];
    for (const [who, key] of [
      ["h", "h0"],
      ["h", "h1"],
      ["g", "g1"],
      ["h", "h2"],
    ] as const) {
      order.push((await (who === "h" ? say(h, atHost, key) : say(g, atGuest, key))).id);
    }
    await expect.poll(async () => (await stub().stats()).outbox).toBeGreaterThan(0);
    const last = order[order.length - 1] as string;
    down = false;
    h.close();
    await dieAndWake(host.user.id, true);
    await expect.poll(async () => (await stub().stats()).outbox).toBe(0);
    await g.until((x) => shown(x, atGuest).some(([id]) => id === last));
    // The guest's send took the host's messages before it (the gap) first; the push found them taken.
    expect(shown(g, atGuest).map(([id]) => id)).toEqual(order);
    const fresh = await device(guest.token);
    expect(shown(fresh, atGuest)).toEqual(shown(g, atGuest));
    expect(await hostedRows(guest.user.id)).toEqual([]);
    // The chat row names the newest; a send after the wake: its id after the newest before.
    expect(await lastOwn(host.user.id, atHost)).toBe(last);
    const h2 = await device(host.token);
    const next = await say(h2, atHost, "h3");
    const before = await stub().history(atHost, undefined, 10);
    expect(next.id > last).toBe(true);
    expect(before.map((m) => m.id)).toEqual([...order, next.id]);
    await g.until((x) => shown(x, atGuest).some(([id]) => id === next.id));
    expect(shown(g, atGuest).map(([id]) => id)).toEqual([...order, next.id]);
    await end();
  });
});
