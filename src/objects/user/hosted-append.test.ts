// The host's side of a hosted one-to-one chat (./hosted-append.ts, docs/one-copy-per-chat.md
// step 1): a guest's message stored once with its retry key, the guest's seq and the chat's
// position; a retry answered from the row; bad input, a block and the wrong caller refused
// with nothing written. Nothing calls appendFromGuest in production yet: these tests call it.

import { describe, expect, it } from "vitest";
import type { ErrorCode } from "../../shared/errors";
import { nextMessageId } from "../../shared/ids";
import { clearAlarms } from "../../test/groups";
import { connect, register, userStub } from "../../test/helpers";
import { guestMessage, hostAndGuest, hostedRows, hostedSendOff, storedChats } from "../../test/hosted";
import type { GuestMessage } from "./hosted-append";

const MEDIA = { id: "0123456789abcdefghjkmnpqrstvwxyz", kind: "photo", mime: "image/png", size: 10 } as const;

describe("appendFromGuest", () => {
  it("stores a guest's message once, at the next position, and shows it on the host's devices", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    const h = await connect(host.token);
    const first = await stub.appendFromGuest(guest.user.id, guestMessage("g1", 41));
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.value).toMatchObject({ pos: 1, guestSeq: 41, seq: 1 });
    const shown = await h.next("message", (f) => f.message.id === first.value.id);
    expect(shown.message).toEqual({
      id: first.value.id,
      chat,
      from: guest.user.id,
      text: "text g1",
      ts: first.value.ts,
      seq: first.value.seq,
    });
    // The id is the host's (its clock, its id as origin).
    expect(first.value.id.endsWith(host.user.id)).toBe(true);

    const second = await stub.appendFromGuest(guest.user.id, guestMessage("g2", 42, { media: MEDIA, text: "" }));
    expect(second.ok && second.value).toMatchObject({ pos: 2, guestSeq: 42, seq: 2 });
    const secondId = second.ok ? second.value.id : "";
    expect(secondId > first.value.id).toBe(true);
    expect((await h.next("message", (f) => f.message.id === secondId)).message.media).toEqual(MEDIA);

    expect(await hostedRows(host.user.id)).toEqual([
      { seq: 1, id: first.value.id, sender: guest.user.id, text: "text g1", client_id: "g1", guest_seq: 41, pos: 1 },
      { seq: 2, id: secondId, sender: guest.user.id, text: "", client_id: "g2", guest_seq: 42, pos: 2 },
    ]);
    // The chat began hosted: hosted_from "", the next position 3; two unread for the host.
    expect(await storedChats(host.user.id)).toEqual([
      { chat, last_id: secondId, unread: 2, hosted_from: "", next_pos: 3 },
    ]);
    // A message received is no contact of the host's (a contact is someone it wrote to).
    expect((await stub.chats()).map((c) => [c.chat, c.unread])).toEqual([[chat, 2]]);
    h.close();
    await clearAlarms([], [host.user.id]);
  });

  it("a retry stores nothing and answers the first answer, guestSeq included", async () => {
    const { host, guest, stub } = await hostAndGuest();
    const h = await connect(host.token);
    const first = await stub.appendFromGuest(guest.user.id, guestMessage("again", 7));
    const retried = await stub.appendFromGuest(guest.user.id, guestMessage("again", 9, { text: "changed" }));
    expect(retried).toEqual(first);
    expect((await hostedRows(host.user.id)).map((r) => [r.text, r.guest_seq])).toEqual([["text again", 7]]);
    // Two copies of one call at once (a retry racing the first): one row, one answer.
    const [x, y] = await Promise.all([
      stub.appendFromGuest(guest.user.id, guestMessage("twice", 8)),
      stub.appendFromGuest(guest.user.id, guestMessage("twice", 8)),
    ]);
    expect(x).toEqual(y);
    expect((await hostedRows(host.user.id)).map((r) => r.client_id)).toEqual(["again", "twice"]);
    // The host's devices saw each once.
    await new Promise((r) => setTimeout(r, 100));
    expect(h.of("message")).toHaveLength(2);
    h.close();
    await clearAlarms([], [host.user.id]);
  });

  it("a guest's clientId never answers for the host's own send, nor is refused by it", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    const h = await connect(host.token);
    h.send({ type: "send", clientId: "same", chat, text: "the host's own" });
    const own = await h.next("sent", (f) => f.clientId === "same");
    const guests = await stub.appendFromGuest(guest.user.id, guestMessage("same", 5));
    expect(guests.ok && guests.value.id !== own.id).toBe(true);
    // The host's retry still gets its own first answer; the guest's retry its own.
    h.send({ type: "send", clientId: "same", chat, text: "the host's own" });
    await h.until((s) => s.of("sent").length === 2);
    expect(h.of("sent")[1]).toEqual(own);
    expect(await stub.appendFromGuest(guest.user.id, guestMessage("same", 6))).toEqual(guests);
    // The own message came before hosting began (no position); the host's next one, in the hosted chat, takes one.
    h.send({ type: "send", clientId: "later", chat, text: "the host's next" });
    const later = await h.next("sent", (f) => f.clientId === "later");
    expect(guests.ok && later.id > guests.value.id).toBe(true);
    const rows = await hostedRows(host.user.id);
    expect(rows.map((r) => [r.sender, r.client_id, r.guest_seq, r.pos])).toEqual([
      [host.user.id, "same", null, null],
      [guest.user.id, "same", 5, 1],
      [host.user.id, "later", null, 2],
    ]);
    expect((await storedChats(host.user.id)).map((c) => c.next_pos)).toEqual([3]);
    h.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  });

  it("hosting begins on a chat of two copies: hosted_from is its newest id, and new ids sort after it", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    // A copy delivered the old way, its id made by a guest clock ahead of the host's by a minute.
    const ahead = nextMessageId(Date.now() + 60_000, { ts: 0, seq: 0 }, guest.user.id);
    await stub.accept([{ kind: "message", id: ahead.id, chat, from: guest.user.id, text: "old way", ts: ahead.ts }]);
    expect(await storedChats(host.user.id)).toEqual([
      { chat, last_id: ahead.id, unread: 1, hosted_from: null, next_pos: null },
    ]);
    const hosted = await stub.appendFromGuest(guest.user.id, guestMessage("new-way", 3));
    const id = hosted.ok ? hosted.value.id : "";
    expect(hosted.ok && hosted.value.pos).toBe(1);
    expect(id > ahead.id).toBe(true);
    // Written at once (not waiting in memory): a lost hosted_from could not be found again.
    expect(await storedChats(host.user.id, false)).toEqual([
      { chat, last_id: id, unread: 2, hosted_from: ahead.id, next_pos: 2 },
    ]);
    // The old copy keeps no position; its history reads as today.
    expect((await hostedRows(host.user.id)).map((r) => r.pos)).toEqual([null, 1]);
    expect((await stub.history(chat, undefined, 10)).map((m) => m.text)).toEqual(["old way", "text new-way"]);
    await clearAlarms([], [host.user.id]);
  });

  it("a reply quotes a message of the chat, as a direct send's does", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    const first = await stub.appendFromGuest(guest.user.id, guestMessage("q1", 1));
    const quoted = first.ok ? first.value.id : "";
    const reply = await stub.appendFromGuest(guest.user.id, guestMessage("q2", 2, { replyTo: quoted }));
    expect(reply.ok).toBe(true);
    expect((await stub.history(chat, undefined, 10))[1]?.replyTo).toEqual({
      id: quoted,
      from: guest.user.id,
      excerpt: "text q1",
    });
    await clearAlarms([], [host.user.id]);
  });
});

describe("appendFromGuest refuses", () => {
  /** The code of the refusal; nothing stored, and no chat row. */
  async function refused(
    setup: Awaited<ReturnType<typeof hostAndGuest>>,
    message: unknown,
    code: ErrorCode,
    guest = setup.guest.user.id,
  ): Promise<void> {
    const answer = await setup.stub.appendFromGuest(guest, message as GuestMessage);
    expect(answer.ok ? "stored" : answer.error.code).toBe(code);
  }

  it("bad input, with a direct send's codes, and stores nothing", async () => {
    const setup = await hostAndGuest();
    const ok = guestMessage("c", 1);
    await refused(setup, "not an object", "invalid_body");
    await refused(setup, null, "invalid_body");
    await refused(setup, { ...ok, clientId: undefined }, "invalid_field");
    await refused(setup, { ...ok, clientId: "has space" }, "invalid_field");
    await refused(setup, { ...ok, clientId: "x".repeat(65) }, "invalid_field");
    await refused(setup, { ...ok, text: "😀".repeat(4097) }, "text_too_long");
    await refused(setup, { ...ok, text: 5 }, "invalid_field");
    await refused(setup, { ...ok, text: "a\u0000b" }, "invalid_field");
    await refused(setup, { ...ok, text: "" }, "invalid_field");
    await refused(setup, { ...ok, text: undefined }, "invalid_field");
    await refused(setup, { ...ok, replyTo: "nope" }, "invalid_field");
    await refused(
      setup,
      { ...ok, replyTo: nextMessageId(Date.now(), { ts: 0, seq: 0 }, "x".repeat(16)).id },
      "unknown_message",
    );
    await refused(setup, { ...ok, media: { ...MEDIA, id: "short" } }, "unknown_media");
    await refused(setup, { ...ok, media: { ...MEDIA, kind: "movie" } }, "invalid_field");
    await refused(setup, { ...ok, media: { ...MEDIA, preview: "javascript:alert(1)" } }, "invalid_media");
    await refused(setup, { ...ok, guestSeq: 0 }, "invalid_field");
    await refused(setup, { ...ok, guestSeq: -1 }, "invalid_field");
    await refused(setup, { ...ok, guestSeq: 1.5 }, "invalid_field");
    await refused(setup, { ...ok, guestSeq: "1" }, "invalid_field");
    await refused(setup, { ...ok, guestSeq: undefined }, "invalid_field");
    await refused(setup, ok, "invalid_field", "NOT-AN-ID");
    expect(await hostedRows(setup.host.user.id)).toEqual([]);
    expect(await storedChats(setup.host.user.id)).toEqual([]);
    // The same message, well formed, is stored: the refusals left nothing in its way.
    expect((await setup.stub.appendFromGuest(setup.guest.user.id, ok)).ok).toBe(true);
    await clearAlarms([], [setup.host.user.id]);
  });

  it("a caller the host rule does not make this object's guest: forbidden", async () => {
    const setup = await hostAndGuest();
    // Self, and a user whose id sorts before the host's (it would host the chat itself).
    await refused(setup, guestMessage("c", 1), "forbidden", setup.host.user.id);
    const first = "0".repeat(16);
    expect(first < setup.host.user.id).toBe(true);
    await refused(setup, guestMessage("c", 1), "forbidden", first);
    // The caller's id is the call's own argument: a `guest` in the message changes nothing.
    await refused(setup, { ...guestMessage("c", 1), guest: setup.guest.user.id }, "forbidden", first);
    // And the guest's own object hosts nothing for the host.
    const reverse = await userStub(setup.guest.user.id).appendFromGuest(setup.host.user.id, guestMessage("c", 1));
    expect(reverse.ok ? "stored" : reverse.error.code).toBe("forbidden");
    expect(await hostedRows(setup.guest.user.id)).toEqual([]);
    expect(await hostedRows(setup.host.user.id)).toEqual([]);
    expect(await storedChats(setup.host.user.id)).toEqual([]);
  });

  it("a reply to a message of another chat: invalid_reply", async () => {
    const setup = await hostAndGuest();
    const other = await register();
    // A row of another chat at the host: its send is a copy even where `other` would host that chat.
    await hostedSendOff(setup.host.user.id);
    const h = await connect(setup.host.token);
    h.send({ type: "send", clientId: "elsewhere", chat: `u:${other.user.id}`, text: "another chat" });
    const elsewhere = await h.next("sent");
    await refused(setup, guestMessage("r", 1, { replyTo: elsewhere.id }), "invalid_reply");
    expect((await hostedRows(setup.host.user.id)).map((r) => r.text)).toEqual(["another chat"]);
    expect((await storedChats(setup.host.user.id)).map((c) => c.chat)).toEqual([`u:${other.user.id}`]);
    h.close();
    await clearAlarms([], [setup.host.user.id, other.user.id]);
  });

  it("a guest the host blocked: answered as any, stored hidden from the host, for good; a retry answers the same", async () => {
    const { stub, guest, host, chat } = await hostAndGuest();
    const h = await connect(host.token);
    await h.speak();
    const before = await stub.appendFromGuest(guest.user.id, guestMessage("before", 1));
    await h.next("message", (f) => f.message.id === (before.ok ? before.value.id : ""));
    expect((await stub.block(guest.user.id)).ok).toBe(true);
    // Not refused: a refusal would tell the guest it was blocked (docs/protocol.md, "Blocking").
    const during = await stub.appendFromGuest(guest.user.id, guestMessage("during", 2));
    expect(during.ok && during.value.pos).toBe(2);
    const duringId = during.ok ? during.value.id : "";
    expect(await stub.appendFromGuest(guest.user.id, guestMessage("before", 1))).toEqual(before);
    expect(await stub.appendFromGuest(guest.user.id, guestMessage("during", 2))).toEqual(during);
    expect((await hostedRows(host.user.id)).map((r) => r.client_id)).toEqual(["before", "during"]);
    expect((await storedChats(host.user.id)).map((c) => [c.next_pos, c.unread])).toEqual([[3, 1]]);
    // The host: nothing on its device, nothing in its history; the guest reads it through its host.
    h.send("ping");
    await h.until((s) => s.frames.includes("pong"));
    expect(h.of("message").filter((f) => f.message.id === duringId)).toEqual([]);
    expect((await stub.history(chat, undefined, 50)).map((m) => m.text)).toEqual(["text before"]);
    const pulled = await stub.hostedPull(guest.user.id, "", 10);
    expect(pulled.ok && pulled.value.entries.map((e) => e.message.text)).toEqual(["text before", "text during"]);
    await stub.unblock(guest.user.id);
    const after = await stub.appendFromGuest(guest.user.id, guestMessage("after", 3));
    expect(after.ok && after.value.pos).toBe(3);
    expect((await stub.history(chat, undefined, 50)).map((m) => m.text)).toEqual(["text before", "text after"]);
    h.close();
    await clearAlarms([], [host.user.id]);
  });
});
