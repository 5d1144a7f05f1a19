// Blocking in a hosted chat (docs/one-copy-per-chat.md, "Blocking in a hosted
// chat, as built"): while the host blocks its guest, the guest's sends are
// answered as always and stored hidden from the host (./hosted-append.ts,
// ./hidden.ts), its edits and reactions reach no device of the host's
// (./hosted-changes.ts), its deletes for everyone apply. Nothing the guest can
// observe differs from a host that is offline (docs/protocol.md, "Blocking").

import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ChatId, Message } from "../../shared/protocol";
import { replay, rows } from "../../test/actions";
import { clearAlarms } from "../../test/groups";
import { connect, register, type TestSocket, userStub } from "../../test/helpers";
import { guestMessage, hostAndGuest, hostedDevices, hostedRows, partsOf } from "../../test/hosted";
import { getJson } from "../../test/hosted-chat";
import { appendFromGuest } from "./hosted-append";
import { hostedChange } from "./hosted-changes";
import { changeHost } from "./sides";

afterEach(() => {
  vi.restoreAllMocks();
});

/** A guest (its send on, two devices) and its host (one device), as ../../test/hosted.ts makes them; the host's stub and the chat as it names it. */
async function pair() {
  const devices = await hostedDevices();
  const atHost: ChatId = `u:${devices.guest.user.id}`;
  return { ...devices, stub: userStub(devices.host.user.id), atHost };
}

async function sendText(socket: TestSocket, chat: ChatId, clientId: string, text: string, replyTo?: string) {
  socket.send({ type: "send", clientId, chat, text, ...(replyTo ? { replyTo } : {}) });
  return socket.next("sent", (f) => f.clientId === clientId);
}

/** Whatever the host's object would have sent the device has arrived: it answers a ping after it. */
async function settled(h: TestSocket): Promise<void> {
  const pongs = h.frames.filter((f) => f === "pong").length;
  h.send("ping");
  await h.until((s) => s.frames.filter((f) => f === "pong").length > pongs);
}

function ids(frames: { message: { id: string } }[], among: string[]): string[] {
  return frames.map((f) => f.message.id).filter((id) => among.includes(id));
}

/** What the host sees of the chat: history, the chat list's entry, a fresh device's sync, search. */
async function hostViews(hostToken: string, hostId: string, atHost: ChatId, word: string) {
  const stub = userStub(hostId);
  const frames = await replay(hostToken);
  const search = await stub.search({ words: [word], limit: 50 });
  const entry = (await stub.chats()).find((c) => c.chat === atHost);
  return {
    history: (await stub.history(atHost, undefined, 50)).map((m) => m.id),
    last: entry?.lastMessage?.id,
    unread: entry?.unread,
    synced: frames.flatMap((f) => (typeof f !== "string" && f.type === "message" ? [f.message.id] : [])),
    updates: frames.flatMap((f) => (typeof f !== "string" && f.type === "update" ? [f.message.id] : [])),
    found: search.ok ? search.value.map((m) => m.id) : ["refused"],
  };
}

describe("a hosted chat whose host blocked the guest", { timeout: 60_000 }, () => {
  it("the guest's sends are answered as always and shown to the guest only, for good", async () => {
    const { host, guest, stub, chat, atHost, g1, g2, h, end } = await pair();
    const before = await sendText(g1, chat, "c1", "before the block");
    await h.next("message", (f) => f.message.id === before.id);
    // A third chat of the host's, newer than `before`: the chat list's order must not move for hidden rows.
    const carol = await register();
    const c = await connect(carol.token);
    await c.speak();
    const fromCarol = await sendText(c, `u:${host.user.id}`, "k1", "hello from carol");
    await h.next("message", (f) => f.message.id === fromCarol.id);
    const shownBefore = await hostViews(host.token, host.user.id, atHost, "heron");

    expect((await stub.block(guest.user.id)).ok).toBe(true);
    const during = await sendText(g1, chat, "c2", "a hidden heron");
    const reply = await sendText(g1, chat, "c3", "replying heron", during.id);
    // Answered as always: an id, the guest's next seqs, shown on its other device.
    expect(during.seq).toBeGreaterThan(before.seq);
    expect(reply.seq).toBeGreaterThan(during.seq);
    for (const sent of [during, reply]) {
      expect((await g2.next("message", (f) => f.message.id === sent.id)).message.seq).toBe(sent.seq);
    }
    // A retry answers the same.
    g1.send({ type: "send", clientId: "c2", chat, text: "a hidden heron" });
    await g1.until((s) => s.of("sent").filter((f) => f.clientId === "c2").length === 2);
    expect(g1.of("sent").filter((f) => f.clientId === "c2")[1]).toMatchObject({ id: during.id, seq: during.seq });

    // The host: stored once each (the chat's one copy), hidden (`forgotten`), nothing on its device.
    const logRows = (await hostedRows(host.user.id)).filter((r) => r.sender === guest.user.id);
    expect(logRows.map((r) => [r.client_id, r.pos])).toEqual([
      ["c1", 1],
      ["c2", 2],
      ["c3", 3],
    ]);
    const forgotten = await rows<{ id: string }>(host.user.id, "SELECT id FROM forgotten ORDER BY id");
    expect(forgotten.map((r) => r.id)).toEqual([during.id, reply.id].sort());
    await settled(h);
    expect(ids(h.of("message"), [during.id, reply.id])).toEqual([]);
    expect(await hostViews(host.token, host.user.id, atHost, "heron")).toEqual(shownBefore);
    expect(shownBefore).toMatchObject({ history: [before.id], last: before.id, unread: 1, found: [] });
    expect((await stub.chats()).map((x) => x.chat)).toEqual([`u:${carol.user.id}`, atHost]);
    expect((await stub.receiptsOf(atHost, during.id)).ok).toBe(false);

    // The guest: its history, and a fresh device's sync, at the seqs `sent` gave; the reply's quote.
    const history = await getJson<{ messages: Message[] }>(`/api/chats/${chat}/messages?limit=50`, guest.token);
    expect(history.body.messages.map((m) => [m.id, m.text])).toEqual([
      [before.id, "before the block"],
      [during.id, "a hidden heron"],
      [reply.id, "replying heron"],
    ]);
    expect(history.body.messages[2]?.replyTo).toMatchObject({ id: during.id, excerpt: "a hidden heron" });
    const fresh = await replay(guest.token);
    const mine = fresh.flatMap((f) => (typeof f !== "string" && f.type === "message" ? [f.message] : []));
    expect(mine.filter((m) => m.chat === chat).map((m) => [m.id, m.seq])).toEqual([
      [before.id, before.seq],
      [during.id, during.seq],
      [reply.id, reply.seq],
    ]);

    // Unblocked: what came while blocked stays hidden; the next message is shown.
    await stub.unblock(guest.user.id);
    expect(await hostViews(host.token, host.user.id, atHost, "heron")).toEqual(shownBefore);
    const after = await sendText(g1, chat, "c4", "after the block");
    expect((await h.next("message", (f) => f.message.id === after.id)).message.text).toBe("after the block");
    expect((await stub.history(atHost, undefined, 50)).map((m) => m.id)).toEqual([before.id, after.id]);
    expect((await stub.chats())[0]).toMatchObject({ chat: atHost, lastMessage: { id: after.id }, unread: 2 });
    c.close();
    await end();
    await clearAlarms([], [carol.user.id]);
  });

  it("edits and reactions reach no device of the host's; a delete for everyone applies", async () => {
    const { host, guest, stub, chat, atHost, g1, g2, h, end } = await pair();
    const before = await sendText(g1, chat, "c1", "before the block");
    await h.next("message", (f) => f.message.id === before.id);
    h.send({ type: "send", clientId: "hc", chat: atHost, text: "the host's own" });
    const own = await h.next("sent", (f) => f.clientId === "hc");
    h.send({ type: "read", chat: atHost, upTo: before.id });
    await h.next("chat", (f) => f.chat === atHost && f.unread === 0);
    expect((await stub.block(guest.user.id)).ok).toBe(true);
    const during = await sendText(g1, chat, "c2", "sent while blocked");
    // The host reads past it (a read position passes hidden rows): an edit of it must make nothing unread.
    h.send({ type: "read", chat: atHost, upTo: own.id });
    await settled(h);

    // Each is answered on both of the guest's devices, as it is when nobody blocked anyone.
    const changes = [
      { type: "edit", clientId: "e1", id: during.id, text: "edited while blocked" },
      { type: "edit", clientId: "e2", id: before.id, text: "before, edited" },
      { type: "react", clientId: "r1", id: own.id, emoji: "👍" },
      { type: "react", clientId: "r2", id: during.id, emoji: "🎉" },
    ];
    for (const change of changes) {
      g1.send(change);
      const seen = await g1.next("update", (f) => f.clientId === change.clientId);
      expect(seen.message.id).toBe(change.id);
      expect(await g2.next("update", (f) => f.clientId === change.clientId)).toEqual(seen);
    }
    await settled(h);
    expect(h.of("update")).toEqual([]);
    // An edit of a message read is unread again for its reader, but the host is shown no edit.
    expect((await stub.chats()).find((x) => x.chat === atHost)?.unread).toBe(0);
    expect(h.of("chat").filter((f) => (f.unread ?? 0) > 0)).toEqual([]);
    // Not on the host's sync either: each entry's cid is marked, as a hidden row's id is.
    const host1 = await hostViews(host.token, host.user.id, atHost, "blocked");
    expect(host1).toMatchObject({ history: [before.id, own.id], updates: [], found: [] });
    expect((await rows(host.user.id, "SELECT id FROM forgotten")).length).toBe(1 + changes.length);

    // The guest sees its changes, in its history and on a fresh device.
    const history = await getJson<{ messages: Message[] }>(`/api/chats/${chat}/messages?limit=50`, guest.token);
    const byId = new Map(history.body.messages.map((m) => [m.id, m]));
    expect(byId.get(during.id)).toMatchObject({ text: "edited while blocked", reactions: [{ emoji: "🎉" }] });
    expect(byId.get(before.id)?.text).toBe("before, edited");
    expect(byId.get(own.id)?.reactions).toMatchObject([{ emoji: "👍", from: guest.user.id }]);

    // A delete for everyone still applies at the host, shown on its device.
    g1.send({ type: "delete", clientId: "d1", id: before.id, for: "everyone" });
    await g1.next("update", (f) => f.clientId === "d1");
    const deleted = await h.next("update", (f) => f.message.id === before.id);
    expect(deleted.message).toMatchObject({ text: "", deletedBy: guest.user.id });
    expect((await stub.history(atHost, undefined, 50))[0]).toMatchObject({ id: before.id, text: "" });
    await end();
  });

  it("no Web Push for a hidden message, and the unread count stays", async () => {
    const { host, guest, stub } = await hostAndGuest();
    const g = guest.user.id;
    const pushed = await runInDurableObject(stub, async (instance) => {
      const parts = partsOf(instance);
      const spy = vi.spyOn(parts, "pushOffline");
      const first = await appendFromGuest(changeHost(parts), g, guestMessage("p1", 1));
      parts.blocks.add(g, Date.now());
      const hidden = await appendFromGuest(changeHost(parts), g, guestMessage("p2", 2));
      return { calls: spy.mock.calls.map((call) => call[0].map((m) => m.id)), first: first.id, hidden: hidden.id };
    });
    expect(pushed.calls).toEqual([[pushed.first]]);
    expect((await stub.chats())[0]).toMatchObject({ lastMessage: { id: pushed.first }, unread: 1 });
    await clearAlarms([], [host.user.id]);
  });

  it("a chat begun by a blocked guest: no chat in the host's list, the guest reads its messages", async () => {
    const { host, guest, stub, chat } = await hostAndGuest();
    const g = guest.user.id;
    expect((await stub.block(g)).ok).toBe(true);
    const first = value(await stub.appendFromGuest(g, guestMessage("b1", 1)));
    expect(first.pos).toBe(1);
    expect(await stub.chats()).toEqual([]);
    expect(await stub.history(chat, undefined, 50)).toEqual([]);
    const pulled = value(await stub.hostedPull(g, "", 10));
    expect(pulled.entries.map((e) => [e.id, e.message.text])).toEqual([[first.id, "text b1"]]);
    await stub.unblock(g);
    expect(await stub.chats()).toEqual([]);
    await clearAlarms([], [host.user.id]);
  });

  it("a failure between the row and its mark stores neither; the retry stores it once, hidden", async () => {
    const { host, guest, stub, chat: atHost } = await hostAndGuest();
    const g = guest.user.id;
    value(await stub.appendFromGuest(g, guestMessage("a1", 1)));
    expect((await stub.block(g)).ok).toBe(true);
    const failed = await runInDurableObject(stub, async (instance) => {
      const changes = partsOf(instance).mailbox.changes;
      vi.spyOn(changes, "remember").mockImplementationOnce(() => {
        throw new Error("disk on fire");
      });
      return appendFromGuest(changeHost(partsOf(instance)), g, guestMessage("a2", 2)).catch(
        (err: { code: string }) => err.code,
      );
    });
    expect(failed).toBe("internal");
    expect((await hostedRows(host.user.id)).map((r) => r.client_id)).toEqual(["a1"]);
    expect(await rows(host.user.id, "SELECT id FROM forgotten")).toEqual([]);
    const retried = value(await stub.appendFromGuest(g, guestMessage("a2", 2)));
    expect(retried.pos).toBe(2);
    expect(value(await stub.appendFromGuest(g, guestMessage("a2", 2)))).toEqual(retried);
    expect((await hostedRows(host.user.id)).map((r) => r.client_id)).toEqual(["a1", "a2"]);
    expect(await rows(host.user.id, "SELECT id FROM forgotten")).toEqual([{ id: retried.id }]);
    expect((await stub.history(atHost, undefined, 50)).map((m) => m.text)).toEqual(["text a1"]);
    // The guest reads it through its host.
    expect(value(await stub.hostedMessage(g, retried.id))?.message.text).toBe("text a2");
    await clearAlarms([], [host.user.id]);
  });

  it("a failure between a change and its mark stores neither; the retry stores it once, marked", async () => {
    const { host, guest, stub } = await hostAndGuest();
    const g = guest.user.id;
    const sent = value(await stub.appendFromGuest(g, guestMessage("m1", 1)));
    expect((await stub.block(g)).ok).toBe(true);
    const failed = await runInDurableObject(stub, async (instance) => {
      vi.spyOn(partsOf(instance).mailbox.changes, "remember").mockImplementationOnce(() => {
        throw new Error("disk on fire");
      });
      const me = changeHost(partsOf(instance));
      return hostedChange(me, g, "e1", { action: "edit", id: sent.id, text: "edited" }).catch(
        (err: { code: string }) => err.code,
      );
    });
    expect(failed).toBe("internal");
    expect(await rows(host.user.id, "SELECT cid FROM changes")).toEqual([]);
    expect((await hostedRows(host.user.id)).map((r) => r.text)).toEqual(["text m1"]);
    const edit = value(await stub.hostedChange(g, "e1", { action: "edit", id: sent.id, text: "edited" }));
    expect(value(await stub.hostedChange(g, "e1", { action: "edit", id: sent.id, text: "edited" }))).toEqual(edit);
    expect(await rows(host.user.id, "SELECT cid FROM changes")).toEqual([{ cid: edit.id }]);
    expect(await rows(host.user.id, "SELECT id FROM forgotten")).toEqual([{ id: edit.id }]);
    await clearAlarms([], [host.user.id]);
  });
});

function value<T>(answer: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!answer.ok) throw new Error(`refused: ${answer.error.code}`);
  return answer.value;
}
