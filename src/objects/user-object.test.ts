// The user object in the real Workers runtime: sending, the mailbox, receipts,
// bad frames, and the outbox surviving a failed first delivery (sync:
// ./user/sync.test.ts; devices: ./user/sockets.test.ts).
// Senders' ids sort first: today's copies whatever HOSTED_GUEST_SEND.

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { TEXT_MAX } from "../shared/limits";
import { drainAlarms, handed, sendAndWait } from "../test/actions";
import { senderFirst } from "../test/copies";
import { connect, register, userStub } from "../test/helpers";
import { wrapDeliveries } from "../test/outbox-faults";
import { eventually } from "../test/presence-helpers";
import { WriteMeter } from "../test/write-meter";

describe("sending one-to-one", () => {
  it("stores in both mailboxes, in order, with increasing seq and time-sortable ids", async () => {
    const { alice, bob } = await senderFirst();
    const a = await connect(alice.token);
    const b = await connect(bob.token, "protocol");
    const sent = [];
    for (let i = 0; i < 20; i++) sent.push(await sendAndWait(a, `u:${bob.user.id}`, `n${i}`, `k${i}`));
    expect(sent.map((s) => s.seq)).toEqual([...sent.map((s) => s.seq)].sort((x, y) => x - y));
    expect(sent.map((s) => s.id)).toEqual([...sent.map((s) => s.id)].sort());
    expect(new Set(sent.map((s) => s.id)).size).toBe(20);
    await b.next("message", (f) => f.message.text === "n19");
    expect(b.of("message").map((f) => f.message.text)).toEqual(sent.map((_, i) => `n${i}`));
    expect((await userStub(bob.user.id).stats()).messages).toBe(20);
    expect((await userStub(alice.user.id).stats()).outbox).toBe(0);
    await drainAlarms(alice.user.id);
    a.close();
    b.close();
  });

  it("answers a retried clientId with the first answer and stores nothing new", async () => {
    const { alice, bob } = await senderFirst();
    const a = await connect(alice.token);
    const first = await sendAndWait(a, `u:${bob.user.id}`, "once", "same");
    a.send({ type: "send", clientId: "same", chat: `u:${bob.user.id}`, text: "once" });
    await a.next("sent", (f) => f !== first);
    expect(a.of("sent")).toEqual([first, first]);
    expect((await userStub(alice.user.id).stats()).messages).toBe(1);
    expect((await userStub(bob.user.id).stats()).messages).toBe(1);
    await drainAlarms(alice.user.id);
    a.close();
  });
});

describe("bad frames", () => {
  const cases: [string, unknown, string][] = [
    ["not JSON", "{oops", "bad_frame"],
    ["not an object", "[1,2]", "bad_frame"],
    ["unknown type", { type: "dance" }, "unknown_type"],
    ["send without clientId", { type: "send", chat: "u:0123456789abcdef", text: "x" }, "invalid_field"],
    ["send with a bad chat", { type: "send", clientId: "c", chat: "bob", text: "x" }, "invalid_chat"],
    ["send with empty text", { type: "send", clientId: "c", chat: "u:0123456789abcdef", text: "" }, "invalid_field"],
    ["send with numeric text", { type: "send", clientId: "c", chat: "u:0123456789abcdef", text: 5 }, "invalid_field"],
    [
      "text too long",
      { type: "send", clientId: "c", chat: "u:0123456789abcdef", text: "x".repeat(TEXT_MAX + 1) },
      "text_too_long",
    ],
    ["unknown recipient", { type: "send", clientId: "c", chat: "u:0123456789abcdef", text: "x" }, "unknown_user"],
    ["sync with a negative cursor", { type: "sync", after: -1 }, "invalid_field"],
    ["received with bad ids", { type: "received", ids: ["nope"] }, "invalid_field"],
    ["__proto__ keys", '{"type":"sync","__proto__":{"after":1}}', "invalid_field"],
  ];

  it.each(cases)("%s gets an error frame, the socket stays open, nothing is stored", async (_name, frame, code) => {
    const alice = await register();
    const a = await connect(alice.token);
    a.send(frame);
    const error = await a.next("error");
    expect(error.code).toBe(code);
    if (typeof frame === "object" && frame && "clientId" in frame) expect(error.clientId).toBe("c");
    // Still open and working:
    a.send({ type: "sync", after: 0 });
    expect((await a.next("synced")).seq).toBe(0);
    expect(await userStub(alice.user.id).stats()).toMatchObject({ messages: 0, outbox: 0, seq: 0 });
    a.close();
  });

  it("a text of exactly the limit is accepted, counted in characters", async () => {
    const { alice, bob } = await senderFirst();
    const a = await connect(alice.token);
    const emoji = "😀".repeat(TEXT_MAX); // 4096 characters, 8192 UTF-16 units
    await sendAndWait(a, `u:${bob.user.id}`, emoji, "long");
    expect((await userStub(alice.user.id).stats()).messages).toBe(1);
    await drainAlarms(alice.user.id);
    a.close();
  });

  it("a binary frame is refused with a code", async () => {
    const alice = await register();
    const a = await connect(alice.token);
    a.ws.send(new Uint8Array([1, 2, 3]));
    expect((await a.next("error")).code).toBe("bad_frame");
    a.close();
  });

  it("frames beyond the rate limit are refused and not stored", async () => {
    const { alice, bob } = await senderFirst();
    const a = await connect(alice.token);
    // The workers tests run with a budget of 50 frames/s, burst 100 (vitest.config.ts).
    for (let i = 0; i < 300; i++) a.send({ type: "sync", after: 1_000_000 });
    for (let i = 0; i < 20; i++) a.send({ type: "send", clientId: `f${i}`, chat: `u:${bob.user.id}`, text: "flood" });
    await a.until((s) => s.of("synced").length + s.of("sent").length + s.of("error").length === 320, 25_000);
    const limited = a.of("error").filter((e) => e.code === "rate_limited");
    expect(limited.length).toBeGreaterThan(0);
    const limitedSends = limited.filter((e) => e.clientId !== undefined).map((e) => e.clientId);
    const sentIds = a.of("sent").map((f) => f.clientId);
    expect(limitedSends.length + sentIds.length).toBe(20);
    expect(limitedSends.filter((id) => sentIds.includes(id as string))).toEqual([]);
    const stored = await userStub(alice.user.id).history(`u:${bob.user.id}`, undefined, 100);
    expect(stored.map((m) => m.clientId).sort()).toEqual([...sentIds].sort());
    await drainAlarms(alice.user.id);
    a.close();
  }, 30_000);
});

describe("the outbox", () => {
  it("a failed first delivery is retried by the alarm, and arrives exactly once", async () => {
    const { alice, bob } = await senderFirst();
    const sender = userStub(alice.user.id);
    // Fault injection: the first delivery attempt fails as if bob's object were down.
    let failures = 1;
    await wrapDeliveries(alice.user.id, (real) => async (target, items) => {
      if (failures-- > 0) throw new Error("injected: recipient unavailable");
      return real(target, items);
    });
    const a = await connect(alice.token);
    const sent = await sendAndWait(a, `u:${bob.user.id}`, "survives", "o1");
    for (let i = 0; i < 50 && (await sender.stats()).outbox === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await sender.stats()).outbox).toBe(1);
    expect((await userStub(bob.user.id).stats()).messages).toBe(0);
    // The failure scheduled the alarm for the retry, which delivers it.
    const alarmAt = await runInDurableObject(sender, (_instance, state) => state.storage.getAlarm());
    expect(alarmAt).not.toBeNull();
    for (let i = 0; i < 100 && (await sender.stats()).outbox > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await sender.stats()).outbox).toBe(0);
    expect((await userStub(bob.user.id).stats()).messages).toBe(1);
    // A second delivery of the same item (as after a crash) changes nothing.
    await userStub(bob.user.id).accept([
      { kind: "message", id: sent.id, chat: `u:${alice.user.id}`, from: alice.user.id, text: "survives", ts: sent.ts },
    ]);
    const history = await userStub(bob.user.id).history(`u:${alice.user.id}`, undefined, 10);
    expect(history.map((m) => m.text)).toEqual(["survives"]);
    await drainAlarms(alice.user.id);
    a.close();
  });
});

describe("gathered receipts", () => {
  /** Rows the outbox's statements wrote since the last call. */
  const outboxRows = (meter: WriteMeter) =>
    meter
      .takeDetailed()
      .byStatement.filter(([query]) => /outbox/i.test(query))
      .reduce((n, [, rows]) => n + rows, 0);

  it("go straight to the sender, writing no outbox row; when that fails, through the outbox, once", async () => {
    const { alice, bob } = await senderFirst();
    const a = await connect(alice.token);
    const b = await connect(bob.token);
    await b.speak();
    const meter = new WriteMeter();
    await meter.start(userStub(bob.user.id));
    try {
      const first = await sendAndWait(a, `u:${bob.user.id}`, "straight", "gr1");
      await b.next("message", (f) => f.message.id === first.id);
      meter.take();
      b.send({ type: "read", chat: `u:${alice.user.id}`, upTo: first.id });
      await a.next("receipt", (r) => r.status === "read" && r.ids.includes(first.id));
      expect(outboxRows(meter)).toBe(0);

      // Bob's object cannot reach alice's for the next receipt: it takes the outbox, and arrives once.
      let failed = 0;
      await wrapDeliveries(bob.user.id, (real) => async (target, items) => {
        if (items.some((item) => item.kind === "receipt") && failed++ === 0)
          throw new Error("injected: sender unavailable");
        return real(target, items);
      });
      const second = await sendAndWait(a, `u:${bob.user.id}`, "by the outbox", "gr2");
      await b.next("message", (f) => f.message.id === second.id);
      meter.take();
      b.send({ type: "read", chat: `u:${alice.user.id}`, upTo: second.id });
      await a.next("receipt", (r) => r.status === "read" && r.ids.includes(second.id));
      expect(failed).toBeGreaterThan(1);
      expect(outboxRows(meter)).toBeGreaterThan(0);
      await eventually(async () => (await userStub(bob.user.id).stats()).outbox === 0, "bob's outbox confirmed");
      expect(a.of("receipt").filter((r) => r.status === "read" && r.ids.includes(second.id))).toHaveLength(1);
    } finally {
      meter.stop();
    }
    await drainAlarms(alice.user.id);
    await drainAlarms(bob.user.id);
    a.close();
    b.close();
  });
});

describe("a one-to-one message's confirmed delivery", () => {
  it("is stored with the next write, by the alarm, or when the user goes quiet; never by an event of its own", async () => {
    const { alice, bob } = await senderFirst(); // bob never connects: no receipt comes back to write with
    const sender = userStub(alice.user.id);
    const handedToBob = () => handed(alice.user.id, `u:${bob.user.id}`);
    const outboxRows = () =>
      runInDurableObject(
        sender,
        (_instance, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n,
      );
    const confirmed = () => eventually(async () => (await sender.stats()).outbox === 0, "the delivery confirmed");
    const a = await connect(alice.token);
    const one = await sendAndWait(a, `u:${bob.user.id}`, "one", "r1");
    await confirmed();
    await new Promise((r) => setTimeout(r, 1_500)); // no timer of its own stores it
    expect(await handedToBob()).toBe(null);

    const two = await sendAndWait(a, `u:${bob.user.id}`, "two", "r2"); // its chat row write stores the first
    await confirmed();
    expect(await handedToBob()).toBe(one.id);
    await runDurableObjectAlarm(sender); // the safety net's alarm stores the second
    expect(await handedToBob()).toBe(two.id);

    const three = await sendAndWait(a, `u:${bob.user.id}`, "three", "r3");
    await confirmed();
    a.close(); // the last device leaving stores it
    await eventually(async () => (await handedToBob()) === three.id, "the position stored as the device left");
    // A one-to-one message never had an outbox row.
    expect(await outboxRows()).toBe(0);
    expect((await userStub(bob.user.id).history(`u:${alice.user.id}`, undefined, 10)).map((m) => m.text)).toEqual([
      "one",
      "two",
      "three",
    ]);
    await runInDurableObject(sender, (_instance, state) => state.storage.deleteAlarm());
  });
});
