// The guest's own send in a chat its peer hosts (./hosted-send.ts,
// docs/one-copy-per-chat.md "The guest's send, as built"), behind
// HOSTED_GUEST_SEND (wrangler.toml; tests pin it); on, the message is stored at the host
// only, and the guest takes it into its `group_chats` row before `sent`.

import { afterEach, describe, expect, it, vi } from "vitest";
import { connect, type TestSocket, userStub } from "../../test/helpers";
import { guestRuns, hostedDevices, hostedRows } from "../../test/hosted";
import { hostFails } from "../../test/hosted-faults";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the guest's send, switched on", () => {
  it("is stored at the host only: sent with a seq of the guest's, on every device, once in a fresh sync, retried the same", async () => {
    const { host, guest, chat, g1, g2, h, end } = await hostedDevices();
    g1.send({ type: "send", clientId: "c1", chat, text: "hello host" });
    const sent = await g1.next("sent", (f) => f.clientId === "c1");
    const other = await g2.next("message", (f) => f.message.id === sent.id);
    expect(other.message).toMatchObject({ chat, from: guest.user.id, text: "hello host", seq: sent.seq });
    const atHost = await h.next("message", (f) => f.message.id === sent.id);
    expect(atHost.message).toMatchObject({ chat: `u:${guest.user.id}`, from: guest.user.id, text: "hello host" });
    // The one copy is the host's; the guest has no message row, only its run.
    expect(await hostedRows(guest.user.id)).toEqual([]);
    const stored = await hostedRows(host.user.id);
    expect(stored.map((r) => [r.id, r.sender, r.client_id, r.pos])).toEqual([[sent.id, guest.user.id, "c1", 1]]);
    expect(await guestRuns(guest.user.id)).toEqual([
      { chat, upto: sent.id, upto_pos: 1, run_seq: sent.seq, run_pos: 1, run_count: 1 },
    ]);
    // A reply to it: the host makes the quote, the guest shows it.
    g1.send({ type: "send", clientId: "c2", chat, text: "and again", replyTo: sent.id });
    const reply = await g1.next("sent", (f) => f.clientId === "c2");
    expect(reply.seq).toBeGreaterThan(sent.seq);
    const shown = await g2.next("message", (f) => f.message.id === reply.id);
    expect(shown.message.replyTo).toEqual({ id: sent.id, from: guest.user.id, excerpt: "hello host" });
    // A retry answers the first answer and stores nothing.
    g1.send({ type: "send", clientId: "c1", chat, text: "hello host" });
    await g1.until((s) => s.of("sent").filter((f) => f.clientId === "c1").length === 2);
    const again = g1.of("sent").filter((f) => f.clientId === "c1")[1];
    expect(again).toMatchObject({ id: sent.id, seq: sent.seq, ts: sent.ts });
    expect(await hostedRows(host.user.id)).toHaveLength(2);
    // A fresh device of the guest syncs each message once, at the seqs `sent` gave.
    const fresh = await connect(guest.token);
    await fresh.speak();
    const replayed = fresh.of("message").filter((f) => f.message.chat === chat);
    expect(replayed.map((f) => [f.message.id, f.message.seq, f.message.text])).toEqual([
      [sent.id, sent.seq, "hello host"],
      [reply.id, reply.seq, "and again"],
    ]);
    await end(fresh);
  });

  it("a host that blocked the guest: `sent` as always, stored hidden at the host, nothing on the host's device", async () => {
    const { host, guest, chat, g1, g2, h, end } = await hostedDevices();
    expect((await userStub(host.user.id).block(guest.user.id)).ok).toBe(true);
    g1.send({ type: "send", clientId: "b1", chat, text: "let me in" });
    const sent = await g1.next("sent", (f) => f.clientId === "b1");
    expect((await g2.next("message", (f) => f.message.id === sent.id)).message).toMatchObject({
      seq: sent.seq,
      text: "let me in",
    });
    const stored = await hostedRows(host.user.id);
    expect(stored.map((r) => [r.id, r.pos])).toEqual([[sent.id, 1]]);
    expect(await hostedRows(guest.user.id)).toEqual([]);
    expect((await guestRuns(guest.user.id)).map((r) => [r.chat, r.upto_pos])).toEqual([[chat, 1]]);
    h.send("ping");
    await h.until((s) => s.frames.includes("pong"));
    expect(h.of("message")).toEqual([]);
    expect(await userStub(host.user.id).history(`u:${guest.user.id}`, undefined, 50)).toEqual([]);
    await end();
  });

  it("a guest that blocked its host: `blocked` from its own object, the host never asked", async () => {
    const { host, guest, chat, g1, end } = await hostedDevices();
    expect((await userStub(guest.user.id).block(host.user.id)).ok).toBe(true);
    g1.send({ type: "send", clientId: "b2", chat, text: "oops" });
    expect(await g1.next("error", (f) => f.clientId === "b2")).toMatchObject({ code: "blocked" });
    expect(await hostedRows(host.user.id)).toEqual([]);
    expect(await guestRuns(guest.user.id)).toEqual([]);
    await end();
  });

  it("a host that cannot be reached: `unavailable`, nothing stored; the retry is sent once", async () => {
    const { host, guest, chat, g1, end } = await hostedDevices();
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const restore = await hostFails(guest.user.id, host.user.id, "appendFromGuest", false);
    g1.send({ type: "send", clientId: "u1", chat, text: "are you there" });
    expect(await g1.next("error", (f) => f.clientId === "u1")).toMatchObject({ code: "unavailable" });
    expect(await hostedRows(host.user.id)).toEqual([]);
    expect(await hostedRows(guest.user.id)).toEqual([]);
    expect(await guestRuns(guest.user.id)).toEqual([]);
    await restore();
    g1.send({ type: "send", clientId: "u1", chat, text: "are you there" });
    const sent = await g1.next("sent", (f) => f.clientId === "u1");
    expect((await hostedRows(host.user.id)).map((r) => r.id)).toEqual([sent.id]);
    await end();
  });

  it("an answer lost after the host stored: the next send takes it first, in order; its retry answers its seq", async () => {
    const { host, guest, chat, g1, g2, end } = await hostedDevices();
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const restore = await hostFails(guest.user.id, host.user.id, "appendFromGuest", true);
    g1.send({ type: "send", clientId: "l1", chat, text: "first" });
    expect(await g1.next("error", (f) => f.clientId === "l1")).toMatchObject({ code: "unavailable" });
    expect(await hostedRows(host.user.id)).toHaveLength(1);
    expect(await guestRuns(guest.user.id)).toEqual([]);
    await restore();
    g1.send({ type: "send", clientId: "l2", chat, text: "second" });
    const second = await g1.next("sent", (f) => f.clientId === "l2");
    g1.send({ type: "send", clientId: "l1", chat, text: "first" });
    const first = await g1.next("sent", (f) => f.clientId === "l1");
    expect(first.seq).toBeLessThan(second.seq);
    await g2.until((s) => s.of("message").filter((f) => f.message.chat === chat).length === 2);
    expect(g2.of("message").map((f) => [f.message.text, f.message.seq])).toEqual([
      ["first", first.seq],
      ["second", second.seq],
    ]);
    expect(await hostedRows(host.user.id)).toHaveLength(2);
    await end();
  });
});

describe("the host's messages beside the guest's hosted ones", () => {
  it("come as entries of the log (the host's push), no copy: a fresh sync shows each message once", async () => {
    const { host, guest, chat, g1, g2, h, end } = await hostedDevices();
    g1.send({ type: "send", clientId: "x1", chat, text: "guest one" });
    const one = await g1.next("sent", (f) => f.clientId === "x1");
    h.send({ type: "send", clientId: "y1", chat: `u:${guest.user.id}`, text: "host one" });
    const hostSent = await h.next("sent", (f) => f.clientId === "y1");
    const pushed = await g2.next("message", (f) => f.message.id === hostSent.id);
    // The host's own message took a position in the log (the chat is hosted), after the guest's.
    expect((await hostedRows(host.user.id)).map((r) => [r.text, r.pos])).toEqual([
      ["guest one", 1],
      ["host one", 2],
    ]);
    // Taken into the guest's run at the next seq, not stored: the guest has no message row.
    expect(pushed.message.seq).toBe(one.seq + 1);
    expect(await hostedRows(guest.user.id)).toEqual([]);
    // A sync pulls the log after the host's message: each message once (a copy too would show it twice).
    const fresh = await connect(guest.token);
    await fresh.speak();
    const texts = (s: TestSocket) =>
      s
        .of("message")
        .filter((f) => f.message.chat === chat)
        .map((f) => f.message.text);
    expect(texts(fresh)).toEqual(["guest one", "host one"]);
    g1.send({ type: "send", clientId: "x2", chat, text: "guest two" });
    const two = await g1.next("sent", (f) => f.clientId === "x2");
    const later = await connect(guest.token);
    await later.speak();
    const replayed = later.of("message").filter((f) => f.message.chat === chat);
    expect(replayed.map((f) => [f.message.id, f.message.seq])).toEqual([
      [one.id, one.seq],
      [hostSent.id, pushed.message.seq],
      [two.id, two.seq],
    ]);
    expect(await guestRuns(guest.user.id)).toMatchObject([{ chat, upto: two.id, upto_pos: 3 }]);
    await end(fresh, later);
  });

  it("a host's message between two sends, no sync between: one run, and a fresh sync shows each message once", async () => {
    const { host, guest, chat, g1, g2, h, end } = await hostedDevices();
    g1.send({ type: "send", clientId: "z1", chat, text: "guest one" });
    const one = await g1.next("sent", (f) => f.clientId === "z1");
    h.send({ type: "send", clientId: "w1", chat: `u:${guest.user.id}`, text: "host one" });
    const hostSent = await h.next("sent", (f) => f.clientId === "w1");
    const pushed = await g2.next("message", (f) => f.message.id === hostSent.id);
    g1.send({ type: "send", clientId: "z2", chat, text: "guest two", replyTo: hostSent.id });
    const two = await g1.next("sent", (f) => f.clientId === "z2");
    const shown = await g2.next("message", (f) => f.message.id === two.id);
    expect(shown.message.replyTo).toEqual({ id: hostSent.id, from: host.user.id, excerpt: "host one" });
    // One run: position 2 (the host's message, pushed) has the seq between the guest's two.
    expect(await guestRuns(guest.user.id)).toMatchObject([
      { chat, upto: two.id, upto_pos: 3, run_pos: 1, run_count: 3, run_seq: one.seq },
    ]);
    const fresh = await connect(guest.token);
    await fresh.speak();
    const replayed = fresh.of("message").filter((f) => f.message.chat === chat);
    expect(replayed.map((f) => [f.message.id, f.message.seq])).toEqual([
      [one.id, one.seq],
      [hostSent.id, pushed.message.seq],
      [two.id, two.seq],
    ]);
    await end(fresh);
  });
});

describe('the guest\'s send, switched off (HOSTED_GUEST_SEND not "on")', () => {
  it("is today's one-to-one send: a copy in each mailbox, no run", async () => {
    const { host, guest, chat, g1, h, end } = await hostedDevices(false);
    g1.send({ type: "send", clientId: "o1", chat, text: "the old way" });
    const sent = await g1.next("sent", (f) => f.clientId === "o1");
    await h.next("message", (f) => f.message.id === sent.id);
    expect((await hostedRows(guest.user.id)).map((r) => [r.id, r.pos])).toEqual([[sent.id, null]]);
    expect((await hostedRows(host.user.id)).map((r) => [r.id, r.pos])).toEqual([[sent.id, null]]);
    expect(await guestRuns(guest.user.id)).toEqual([]);
    await end();
  });
});
