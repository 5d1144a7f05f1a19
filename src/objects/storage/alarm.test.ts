// The shared alarm over a real object's storage: the earliest need wins, a
// met need is released without moving the alarm (it fires once more), and
// when it fires it says which needs were due; an alarm inherited from before
// a restart is a need at its own time, and when that time comes every need
// counts as due, since its needs are not known.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { userStub } from "../../test/helpers";
import { AlarmScheduler } from "./alarm";

/** A scheduler over a fresh object's storage, a minute ahead (`now`), with an alarm stored before it loads, if any. */
function withScheduler(
  test: (alarms: AlarmScheduler, storage: DurableObjectStorage, now: number) => Promise<void>,
  stored?: (now: number) => number,
) {
  return runInDurableObject(userStub(`alarm-${crypto.randomUUID()}`), async (_instance, state) => {
    const now = Date.now() + 60_000;
    if (stored) await state.storage.setAlarm(stored(now));
    const alarms = new AlarmScheduler(state.storage);
    await alarms.load();
    await test(alarms, state.storage, now);
    await state.storage.deleteAlarm();
  });
}

describe("the alarm scheduler", () => {
  it("keeps the earliest need, leaves the alarm in place for a released need, and deletes it on cancel", () =>
    withScheduler(async (alarms, storage, now) => {
      alarms.ensureBy(now + 5_000, "outbox");
      alarms.ensureBy(now + 20_000, "presence");
      alarms.ensureBy(now + 9_000, "outbox"); // later than its own first ask: changes nothing
      expect(await storage.getAlarm()).toBe(now + 5_000);

      alarms.release("outbox");
      expect(await storage.getAlarm()).toBe(now + 5_000); // fires once for nothing
      alarms.ensureBy(now + 6_000, "outbox"); // the next ask finds it early enough already
      expect(alarms.scheduledAt).toBe(now + 5_000);
      alarms.release("outbox");
      alarms.release("outbox"); // not a need any more: nothing moves
      expect(await storage.getAlarm()).toBe(now + 5_000);

      alarms.cancel();
      expect(await storage.getAlarm()).toBeNull();
    }));

  it("answers which needs were due when it fired, and sets the alarm for the others' times", () =>
    withScheduler(async (alarms, storage, now) => {
      alarms.ensureBy(now + 5_000, "outbox");
      alarms.ensureBy(now + 60_000, "presence");
      alarms.release("outbox"); // the alarm stays at now + 5 s

      const first = alarms.fired(now + 5_000);
      expect([first("outbox"), first("presence")]).toEqual([false, false]); // fired for a need since released
      expect(alarms.scheduledAt).toBe(now + 60_000);
      expect(await storage.getAlarm()).toBe(now + 60_000);

      alarms.ensureBy(now + 10_000, "outbox");
      const second = alarms.fired(now + 10_000);
      expect([second("outbox"), second("presence")]).toEqual([true, false]);
      const third = alarms.fired(now + 60_000);
      expect([third("outbox"), third("presence")]).toEqual([false, true]);
      expect(alarms.scheduledAt).toBeNull();
    }));

  it("keeps an alarm found on waking as a need at its time: when that comes, every need counts as due", () =>
    withScheduler(
      async (alarms, storage, now) => {
        alarms.ensureBy(now + 20_000, "presence");
        alarms.ensureBy(now + 1_000, "outbox");
        expect(await storage.getAlarm()).toBe(now + 1_000);

        // Earlier than the inherited time: it fired for its own needs only, and goes back to that time.
        const early = alarms.fired(now + 1_000);
        expect([early("outbox"), early("presence")]).toEqual([true, false]);
        expect(await storage.getAlarm()).toBe(now + 5_000);
        const due = alarms.fired(now + 5_000);
        expect([due("outbox"), due("media"), due("presence")]).toEqual([true, true, true]); // its needs are not known
        expect(await storage.getAlarm()).toBe(now + 20_000);
        const next = alarms.fired(now + 20_000);
        expect([next("outbox"), next("presence")]).toEqual([false, true]); // from then on the needs speak for themselves
        expect(alarms.scheduledAt).toBeNull();
      },
      (now) => now + 5_000, // booked before a restart, for a need we no longer know
    ));

  it("moves later when it is near and restated needs allow it by a second or more, never past a need", () =>
    withScheduler(async (alarms, storage, now) => {
      alarms.ensureBy(now + 5_000, "outbox");
      alarms.ensureBy(now + 60_000, "presence");
      // The next batch of writes, 2 s later: the message was confirmed, another one was sent.
      alarms.restate(new Map([["outbox", now + 7_000]]), now + 2_000);
      expect(await storage.getAlarm()).toBe(now + 5_000); // not near yet: a later batch may move it
      alarms.restate(new Map([["outbox", now + 8_000]]), now + 3_000);
      expect(await storage.getAlarm()).toBe(now + 8_000);
      alarms.restate(new Map([["outbox", now + 8_500]]), now + 7_000); // less than a second later: not worth a write
      expect(alarms.scheduledAt).toBe(now + 8_000);
      alarms.ensureBy(now + 7_500, "peers"); // another need asks earlier: earlier it is
      alarms.restate(new Map<string, number | null>([["outbox", null]]), now + 7_000);
      expect(await storage.getAlarm()).toBe(now + 7_500);
      // Nothing owed by either net: the alarm goes towards the next need's time, never past it, and
      // at most ROLL_MS (15 s) ahead, so that a net asked for from now on still finds it early enough.
      alarms.restate(
        new Map<string, number | null>([
          ["outbox", null],
          ["peers", null],
        ]),
        now + 7_000,
      );
      expect(await storage.getAlarm()).toBe(now + 22_000);
      // Owed again: a net is met by an alarm up to NET_SLACK_MS (10 s) after it; earlier than that, it moves.
      alarms.restate(new Map([["outbox", now + 12_000]]), now + 7_000);
      expect(await storage.getAlarm()).toBe(now + 22_000);
      alarms.restate(new Map([["outbox", now + 11_000]]), now + 7_000);
      expect(await storage.getAlarm()).toBe(now + 11_000);
      const due = alarms.fired(now + 11_000);
      expect([due("outbox"), due("presence")]).toEqual([true, false]);
    }));

  it("meets a safety net with an alarm up to NET_SLACK_MS after it: a send on an active object writes no alarm", () =>
    withScheduler(async (alarms, storage, now) => {
      alarms.ensureBy(now + 60_000, "presence");
      alarms.ensureNet(now + 5_000, "peers"); // the first send: the alarm moves earlier
      expect(await storage.getAlarm()).toBe(now + 5_000);
      alarms.ensureNet(now + 7_000, "peers"); // the next, 2 s later: early enough already
      expect(alarms.scheduledAt).toBe(now + 5_000);
      // Confirmed; a batch near the alarm rolls it 15 s ahead (not to the presence sweep's 60 s).
      alarms.restate(new Map<string, number | null>([["peers", null]]), now + 4_000);
      expect(await storage.getAlarm()).toBe(now + 19_000);
      alarms.ensureNet(now + 9_000, "peers"); // a send at +4 s: within the slack, no write
      expect(alarms.scheduledAt).toBe(now + 19_000);
      alarms.ensureNet(now + 8_000, "peers"); // asked for further back than the slack allows: earlier
      expect(await storage.getAlarm()).toBe(now + 8_000);
    }));

  it("does not move an alarm found on waking past its time, since its needs are not known", () =>
    withScheduler(
      async (alarms, storage, now) => {
        alarms.restate(
          new Map<string, number | null>([
            ["outbox", null],
            ["peers", now + 60_000],
          ]),
          now + 29_000,
        );
        expect(await storage.getAlarm()).toBe(now + 30_000);
        alarms.restate(new Map([["peers", now + 1_000]]), now); // earlier than the net's slack allows: yes
        expect(await storage.getAlarm()).toBe(now + 1_000);
      },
      (now) => now + 30_000,
    ));

  it("rolls a net's alarm on an object woken with a stored alarm up to that alarm's time, never past it", () =>
    // An object woken from hibernation with its presence sweep booked: its first send's net moves the alarm
    // early; confirmed, the net no longer needs it, and the alarm rolls as on an object that never slept
    // (before, it fired for the net and ran every need: 1,000 objects at once at dm-steady-1k).
    withScheduler(
      async (alarms, storage, now) => {
        alarms.ensureNet(now + 5_000, "peers");
        expect(await storage.getAlarm()).toBe(now + 5_000);
        alarms.restate(new Map<string, number | null>([["peers", null]]), now + 3_000);
        expect(await storage.getAlarm()).toBe(now + 18_000); // ROLL_MS ahead
        alarms.restate(new Map<string, number | null>([["peers", null]]), now + 16_000);
        expect(await storage.getAlarm()).toBe(now + 30_000); // up to the stored time, not ROLL_MS past
        alarms.restate(new Map<string, number | null>([["peers", null]]), now + 28_000);
        expect(await storage.getAlarm()).toBe(now + 30_000);
        const due = alarms.fired(now + 30_000);
        expect([due("peers"), due("presence"), due("media")]).toEqual([true, true, true]);
        expect(alarms.scheduledAt).toBeNull();
      },
      (now) => now + 30_000,
    ));
});
