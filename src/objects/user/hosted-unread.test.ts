// The host's unread count in a hosted chat with hidden rows (docs/one-copy-per-chat.md,
// "Blocking in a hosted chat" and "Delete for me in a hosted chat"): a blocked
// guest's messages and those the host deleted for itself stay in its mailbox,
// and a read past them takes off the unread count only the rows the host sees
// (./mailbox-receipts.ts `markRead`); an edit of a hidden row makes nothing
// unread again (./changes.ts). The `chat` frame, the chat list and the stored
// chat row agree.

import { describe, expect, it } from "vitest";
import type { ChatId } from "../../shared/protocol";
import { act } from "../../test/actions";
import { type TestSocket, userStub } from "../../test/helpers";
import { hostedDevices, storedChats } from "../../test/hosted";

async function pair() {
  const devices = await hostedDevices();
  const atHost: ChatId = `u:${devices.guest.user.id}`;
  return { ...devices, stub: userStub(devices.host.user.id), atHost };
}

/** The guest sends a text; answers its id once the host's device has it (unless `hidden`). */
async function guestSends(g: TestSocket, h: TestSocket, chat: ChatId, clientId: string, hidden = false) {
  g.send({ type: "send", clientId, chat, text: `text ${clientId}` });
  const { id } = await g.next("sent", (f) => f.clientId === clientId);
  if (!hidden) await h.next("message", (f) => f.message.id === id);
  return id;
}

/** The host's own message: the chat stays in its list when every message of the guest's is hidden. */
async function hostSends(h: TestSocket, atHost: ChatId): Promise<void> {
  await act(h, { type: "send", clientId: "own", chat: atHost, text: "from the host" });
}

/** The host's device reads up to `upTo`; answers the unread count of the `chat` frame it gets. */
async function read(h: TestSocket, chat: ChatId, upTo: string): Promise<number | undefined> {
  const before = h.of("chat").length;
  h.send({ type: "read", chat, upTo });
  await h.until((s) => s.of("chat").length > before);
  return h.of("chat")[before]?.unread;
}

/** The unread count as the chat list, and the chat row as written, say it. */
async function unreadAtHost(stub: ReturnType<typeof userStub>, hostId: string, atHost: ChatId) {
  const listed = (await stub.chats()).find((c) => c.chat === atHost)?.unread;
  const stored = (await storedChats(hostId)).find((c) => c.chat === atHost)?.unread;
  return { listed, stored };
}

describe("the host's unread count past hidden rows", { timeout: 60_000 }, () => {
  it("a read past a blocked guest's messages takes off only those the host sees", async () => {
    const { host, guest, stub, chat, atHost, g1, h, end } = await pair();
    await guestSends(g1, h, chat, "a1");
    expect((await stub.block(guest.user.id)).ok).toBe(true);
    await guestSends(g1, h, chat, "b1", true);
    await guestSends(g1, h, chat, "b2", true);
    await stub.unblock(guest.user.id);
    const s1 = await guestSends(g1, h, chat, "s1");
    const s2 = await guestSends(g1, h, chat, "s2");
    expect(await unreadAtHost(stub, host.user.id, atHost)).toEqual({ listed: 3, stored: 3 });
    // Up to s1: a1 and s1 are read, the two hidden rows between them were never shown; s2 is unread.
    expect(await read(h, atHost, s1)).toBe(1);
    expect(await unreadAtHost(stub, host.user.id, atHost)).toEqual({ listed: 1, stored: 1 });
    expect(await read(h, atHost, s2)).toBe(0);
    expect(await unreadAtHost(stub, host.user.id, atHost)).toEqual({ listed: 0, stored: 0 });
    await end();
  });

  it("a read past a message the host deleted for itself takes off only those it sees", async () => {
    const { host, stub, chat, atHost, g1, h, end } = await pair();
    const m1 = await guestSends(g1, h, chat, "m1");
    const m2 = await guestSends(g1, h, chat, "m2");
    await guestSends(g1, h, chat, "m3");
    expect(await act(h, { type: "delete", clientId: "d1", id: m1, for: "me" })).toMatchObject({ type: "removed" });
    expect(await unreadAtHost(stub, host.user.id, atHost)).toEqual({ listed: 2, stored: 2 });
    expect(await read(h, atHost, m2)).toBe(1);
    expect(await unreadAtHost(stub, host.user.id, atHost)).toEqual({ listed: 1, stored: 1 });
    await end();
  });

  it("an edit of a read message the host deleted for itself makes nothing unread", async () => {
    const { host, stub, chat, atHost, g1, h, end } = await pair();
    await hostSends(h, atHost);
    const m1 = await guestSends(g1, h, chat, "m1");
    expect(await read(h, atHost, m1)).toBe(0);
    await act(h, { type: "delete", clientId: "d1", id: m1, for: "me" });
    expect(await act(g1, { type: "edit", clientId: "e1", id: m1, text: "edited" })).toMatchObject({ type: "update" });
    expect(await unreadAtHost(stub, host.user.id, atHost)).toEqual({ listed: 0, stored: 0 });
    const m2 = await guestSends(g1, h, chat, "m2");
    await guestSends(g1, h, chat, "m3");
    expect(await read(h, atHost, m2)).toBe(1);
    expect(await unreadAtHost(stub, host.user.id, atHost)).toEqual({ listed: 1, stored: 1 });
    await end();
  });

  it("a message made unread again by an edit, then deleted for me, is not taken off again by a read", async () => {
    const { host, stub, chat, atHost, g1, h, end } = await pair();
    await hostSends(h, atHost);
    const m1 = await guestSends(g1, h, chat, "m1");
    expect(await read(h, atHost, m1)).toBe(0);
    expect(await act(g1, { type: "edit", clientId: "e1", id: m1, text: "edited" })).toMatchObject({ type: "update" });
    await h.next("update", (f) => f.message.id === m1);
    expect(await unreadAtHost(stub, host.user.id, atHost)).toEqual({ listed: 1, stored: 1 });
    await act(h, { type: "delete", clientId: "d1", id: m1, for: "me" });
    expect(await unreadAtHost(stub, host.user.id, atHost)).toEqual({ listed: 0, stored: 0 });
    const m2 = await guestSends(g1, h, chat, "m2");
    await guestSends(g1, h, chat, "m3");
    // The read clears m1's mark (its row stays, the guest's copy) and counts m2 only.
    expect(await read(h, atHost, m2)).toBe(1);
    expect(await unreadAtHost(stub, host.user.id, atHost)).toEqual({ listed: 1, stored: 1 });
    await end();
  });
});
