// The shared alarm over a real object's storage: the earliest need wins, a
// met need gives the alarm back to the next one (or, released lazily, leaves
// it to fire once), and an alarm inherited from before a restart stays until
// it fires, since its needs are not known.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { userStub } from "../../test/helpers";
import { AlarmScheduler } from "./alarm";

describe("the alarm scheduler", () => {
  it("keeps the earliest need, moves to the next one when it is released, and deletes the alarm when none is left", async () => {
    const stub = userStub(`alarm-${crypto.randomUUID()}`);
    await runInDurableObject(stub, async (_instance, state) => {
      const now = Date.now() + 60_000;
      const alarms = new AlarmScheduler(state.storage);
      await alarms.load();
      alarms.ensureBy(now + 5_000, "outbox");
      alarms.ensureBy(now + 20_000, "presence");
      alarms.ensureBy(now + 9_000, "outbox"); // later than its own first ask: changes nothing
      expect(await state.storage.getAlarm()).toBe(now + 5_000);

      alarms.release("outbox");
      expect(await state.storage.getAlarm()).toBe(now + 20_000);
      alarms.release("outbox"); // not a need any more: nothing moves
      expect(await state.storage.getAlarm()).toBe(now + 20_000);

      alarms.release("presence");
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });

  it("leaves the alarm in place for a need released lazily, and forgets that need", async () => {
    const stub = userStub(`alarm-${crypto.randomUUID()}`);
    await runInDurableObject(stub, async (_instance, state) => {
      const now = Date.now() + 60_000;
      const alarms = new AlarmScheduler(state.storage);
      await alarms.load();
      alarms.ensureBy(now + 20_000, "presence");
      alarms.ensureBy(now + 5_000, "outbox");
      alarms.releaseLazily("outbox");
      expect(await state.storage.getAlarm()).toBe(now + 5_000); // fires once for nothing

      // The next ask within that time finds the alarm early enough already.
      alarms.ensureBy(now + 6_000, "outbox");
      expect(alarms.scheduledAt).toBe(now + 5_000);
      alarms.releaseLazily("outbox");

      // A need released later moves the alarm to what is left, and the lazily released one is not among it.
      alarms.ensureBy(now + 30_000, "typing");
      alarms.release("presence");
      expect(await state.storage.getAlarm()).toBe(now + 30_000);
      alarms.release("typing");
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });

  it("answers which needs were due when it fired, and sets the alarm for the others' times", async () => {
    const stub = userStub(`alarm-${crypto.randomUUID()}`);
    await runInDurableObject(stub, async (_instance, state) => {
      const now = Date.now() + 60_000;
      const alarms = new AlarmScheduler(state.storage);
      await alarms.load();
      alarms.ensureBy(now + 5_000, "outbox");
      alarms.ensureBy(now + 60_000, "presence");
      alarms.releaseLazily("outbox"); // the alarm stays at now + 5 s

      const first = alarms.fired(now + 5_000);
      expect([first("outbox"), first("presence")]).toEqual([false, false]); // fired for a need since released
      expect(alarms.scheduledAt).toBe(now + 60_000);
      expect(await state.storage.getAlarm()).toBe(now + 60_000);

      alarms.ensureBy(now + 10_000, "outbox");
      const second = alarms.fired(now + 10_000);
      expect([second("outbox"), second("presence")]).toEqual([true, false]);
      const third = alarms.fired(now + 60_000);
      expect([third("outbox"), third("presence")]).toEqual([false, true]);
      expect(alarms.scheduledAt).toBeNull();
      await state.storage.deleteAlarm();

      // An alarm found on waking served needs this instance never heard of: all count as due.
      await state.storage.setAlarm(now + 1_000);
      const woken = new AlarmScheduler(state.storage);
      await woken.load();
      const inherited = woken.fired(now + 1_000);
      expect([inherited("outbox"), inherited("presence")]).toEqual([true, true]);
      await state.storage.deleteAlarm();
    });
  });

  it("leaves an alarm found on waking in place until it has fired", async () => {
    const stub = userStub(`alarm-${crypto.randomUUID()}`);
    await runInDurableObject(stub, async (_instance, state) => {
      const now = Date.now() + 60_000;
      await state.storage.setAlarm(now + 5_000); // booked before a restart, for a need we no longer know
      const alarms = new AlarmScheduler(state.storage);
      await alarms.load();
      alarms.ensureBy(now + 20_000, "presence");
      alarms.ensureBy(now + 1_000, "outbox");
      alarms.release("outbox");
      expect(await state.storage.getAlarm()).toBe(now + 1_000);

      alarms.fired();
      alarms.ensureBy(now + 1_000, "outbox");
      alarms.ensureBy(now + 20_000, "presence");
      alarms.release("outbox");
      expect(await state.storage.getAlarm()).toBe(now + 20_000);
      await state.storage.deleteAlarm();
    });
  });
});
