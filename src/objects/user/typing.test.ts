// Typing indicators: relayed to the other member's devices, never stored, at
// most once per user per chat every 2 s; bad chats get an error frame.

import { describe, expect, it } from "vitest";
import { randomId } from "../../shared/ids";
import { TYPING_INTERVAL_MS } from "../../shared/limits";
import type { Group } from "../../shared/protocol";
import { api, connect, register, userStub } from "../../test/helpers";
import { alarmOf, eventually } from "../../test/presence-helpers";
import { TypingThrottle } from "./typing";

describe("TypingThrottle", () => {
  it("allows one relay per chat per interval, chats apart", () => {
    const throttle = new TypingThrottle(TYPING_INTERVAL_MS);
    expect(throttle.allow("u:aaaaaaaaaaaaaaaa", 1_000)).toBe(true);
    expect(throttle.allow("u:aaaaaaaaaaaaaaaa", 2_999)).toBe(false);
    expect(throttle.allow("u:bbbbbbbbbbbbbbbb", 2_999)).toBe(true);
    expect(throttle.allow("u:aaaaaaaaaaaaaaaa", 3_000)).toBe(true);
    expect(throttle.allow("u:aaaaaaaaaaaaaaaa", 3_001)).toBe(false);
  });
});

describe("typing frames", () => {
  it("reach every device of the other user, once per interval, and are not stored", async () => {
    const alice = await register();
    const bob = await register();
    const a = await connect(alice.token);
    const b1 = await connect(bob.token);
    const b2 = await connect(bob.token);
    const chat = `u:${bob.user.id}`;
    // A message first, so that both know each other (no D1 wait inside the burst below).
    a.send({ type: "send", clientId: "m1", chat, text: "hello" });
    await b1.next("message");

    for (let i = 0; i < 3; i++) a.send({ type: "typing", chat });
    const expected = { type: "typing", chat: `u:${alice.user.id}`, from: alice.user.id };
    expect(await b1.next("typing")).toEqual(expected);
    expect(await b2.next("typing")).toEqual(expected);
    // A later message shows the other typing frames were dropped, not delayed.
    a.send({ type: "send", clientId: "m2", chat, text: "again" });
    await b1.next("message", (f) => f.message.text === "again");
    await b2.next("message", (f) => f.message.text === "again");
    expect(b1.of("typing")).toHaveLength(1);
    expect(b2.of("typing")).toHaveLength(1);
    // Neither the typist's devices nor anyone's mailbox got anything from it.
    expect(a.of("typing")).toHaveLength(0);
    expect((await userStub(bob.user.id).stats()).messages).toBe(2);
    expect(a.of("error")).toHaveLength(0);

    for (const s of [a, b1, b2]) s.close();
    await eventually(async () => (await alarmOf(alice.user.id)) === null, "alice offline");
    await eventually(async () => (await alarmOf(bob.user.id)) === null, "bob offline");
  });

  it.each([
    ["an unknown user", () => `u:${randomId()}`, "unknown_user"],
    [
      "a group that does not exist (the same answer as one the caller is not in)",
      () => `g:${randomId()}`,
      "not_member",
    ],
    ["a malformed chat", () => "x:nope", "invalid_chat"],
  ])("answers typing in %s with an error frame, and relays nothing", async (_, chat, code) => {
    const alice = await register();
    const a = await connect(alice.token);
    a.send({ type: "typing", chat: chat() });
    expect((await a.next("error")).code).toBe(code);
    expect(a.closed).toBeNull();
    expect(a.of("typing")).toHaveLength(0);
    expect((await userStub(alice.user.id).stats()).outbox).toBe(0);
    a.close();
    await eventually(async () => (await alarmOf(alice.user.id)) === null, "offline");
  });
});

describe("typing in a group", () => {
  it("reaches the other members' devices, once per interval, and refuses outsiders every time", async () => {
    const [alice, bob, carol, dave] = await Promise.all([register(), register(), register(), register()]);
    const res = await api("/api/groups", {
      method: "POST",
      token: alice.token,
      body: { name: "typists", members: [bob.user.id, carol.user.id] },
    });
    expect(res.status).toBe(201);
    const chat = `g:${((await res.json()) as Group).id}` as const;
    const a = await connect(alice.token);
    const b = await connect(bob.token);
    const c = await connect(carol.token);
    const d = await connect(dave.token);

    for (let i = 0; i < 3; i++) a.send({ type: "typing", chat });
    const expected = { type: "typing", chat, from: alice.user.id };
    expect(await b.next("typing")).toEqual(expected);
    expect(await c.next("typing")).toEqual(expected);
    // A message afterwards shows the extra frames were dropped, not delayed.
    a.send({ type: "send", clientId: "g1", chat, text: "hello all" });
    await b.next("message");
    await c.next("message");
    expect(b.of("typing")).toHaveLength(1);
    expect(c.of("typing")).toHaveLength(1);
    expect(a.of("typing")).toHaveLength(0);
    expect(a.of("error")).toHaveLength(0);

    // An outsider is refused, and not only the first time within the interval.
    d.send({ type: "typing", chat });
    expect((await d.next("error")).code).toBe("not_member");
    d.send({ type: "typing", chat });
    await eventually(async () => d.of("error").length === 2, "second refusal");
    expect(d.of("error").map((e) => e.code)).toEqual(["not_member", "not_member"]);
    expect(b.of("typing")).toHaveLength(1);

    for (const s of [a, b, c, d]) s.close();
    for (const u of [alice, bob, carol, dave]) {
      await eventually(async () => (await alarmOf(u.user.id)) === null, "offline");
    }
  });
});
