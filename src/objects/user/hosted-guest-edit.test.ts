// The guest's `edit`, `delete` and `react` frames on a message of the chat its
// peer hosts (./hosted-guest-edit.ts), behind HOSTED_GUEST_SEND: the host
// decides (UserObject.hostedChange) and keeps its codes; the guest takes the
// change's entry into its `u:<host>` row before it answers, so every device,
// and a fresh device's sync, shows it once at a seq of the guest's. Refusals,
// a host that cannot be reached, an answer lost after the host stored, delete
// for me, and a copy from before hosting (today's path).

import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ChatId } from "../../shared/protocol";
import { connect, type TestSocket, userStub } from "../../test/helpers";
import { changeRows, guestRuns, hostedDevices, hostedRows, partsOf } from "../../test/hosted";
import { hostFails } from "../../test/hosted-faults";

afterEach(() => {
  vi.restoreAllMocks();
});

async function sendText(socket: TestSocket, chat: ChatId, clientId: string, text = `text ${clientId}`) {
  socket.send({ type: "send", clientId, chat, text });
  return socket.next("sent", (f) => f.clientId === clientId);
}

/** What a refusal must leave as it was, on both objects. */
async function both(hostId: string, guestId: string) {
  return {
    host: { rows: await hostedRows(hostId), changes: await changeRows(hostId) },
    guest: { rows: await hostedRows(guestId), changes: await changeRows(guestId), runs: await guestRuns(guestId) },
  };
}

/** An id of the host's clock that is in no log: one of its characters before the origin changed. */
function unknownId(id: string): string {
  return `${id.slice(0, 12)}${id[12] === "z" ? "y" : "z"}${id.slice(13)}`;
}

/** The frames a fresh device of this user gets for `chat` on sync. */
async function replay(token: string, chat: ChatId) {
  const fresh = await connect(token);
  await fresh.speak();
  fresh.close();
  const of = <T extends { message: { chat: string } }>(frames: T[]) => frames.filter((f) => f.message.chat === chat);
  return { messages: of(fresh.of("message")), updates: of(fresh.of("update")), removed: fresh.of("removed") };
}

describe("the guest's changes of a hosted message, switched on", () => {
  it("edit, react, delete for everyone: the host decides, every device is shown, a retry answers the same", async () => {
    const { host, guest, chat, g1, g2, h, end } = await hostedDevices();
    const sent = await sendText(g1, chat, "c1", "hello");
    await h.next("message", (f) => f.message.id === sent.id);
    g1.send({ type: "edit", clientId: "e1", id: sent.id, text: "hello, edited" });
    const edit = await g1.next("update", (f) => f.clientId === "e1");
    expect(edit.message).toMatchObject({ id: sent.id, chat, text: "hello, edited", seq: sent.seq });
    expect(edit.seq).toBeGreaterThan(sent.seq);
    expect(await g2.next("update", (f) => f.clientId === "e1")).toEqual(edit);
    const seen = await h.next("update", (f) => f.message.text === "hello, edited");
    expect([seen.message.id, seen.clientId]).toEqual([sent.id, undefined]);
    g1.send({ type: "react", clientId: "r1", id: sent.id, emoji: "👍" });
    const react = await g1.next("update", (f) => f.clientId === "r1");
    expect(react.message.reactions).toEqual([{ from: guest.user.id, emoji: "👍" }]);
    await h.next("update", (f) => f.message.reactions !== undefined);
    // A retry: the first change's entry and seq, the message as it now is; nothing written.
    const before = await both(host.user.id, guest.user.id);
    g1.send({ type: "edit", clientId: "e1", id: sent.id, text: "hello, edited" });
    await g1.until((s) => s.of("update").filter((f) => f.clientId === "e1").length === 2);
    const again = g1.of("update").filter((f) => f.clientId === "e1")[1];
    expect(again).toMatchObject({ seq: edit.seq, message: { seq: sent.seq, text: "hello, edited" } });
    expect(await both(host.user.id, guest.user.id)).toEqual(before);
    g1.send({ type: "delete", clientId: "d1", id: sent.id, for: "everyone" });
    const del = await g1.next("update", (f) => f.clientId === "d1");
    expect(del.message).toMatchObject({ text: "", deletedBy: guest.user.id, seq: sent.seq });
    await g2.next("update", (f) => f.clientId === "d1");
    await h.next("update", (f) => f.message.deletedAt !== undefined);
    // The one copy is the host's, its changes entries of the log; the guest wrote only its run.
    expect((await hostedRows(host.user.id)).map((r) => [r.id, r.text, r.pos])).toEqual([[sent.id, "", 1]]);
    expect((await changeRows(host.user.id)).map((r) => [r.kind, r.pos, r.guest_client_id])).toEqual([
      ["update", 2, "e1"],
      ["reacted", 3, "r1"],
      ["update", 4, "d1"],
    ]);
    expect(await hostedRows(guest.user.id)).toEqual([]);
    expect(await changeRows(guest.user.id)).toEqual([]);
    expect(await guestRuns(guest.user.id)).toMatchObject([{ chat, upto_pos: 4, run_pos: 1, run_count: 4 }]);
    // A fresh device: the message once, each change once, at the seqs the answers gave.
    const fresh = await replay(guest.token, chat);
    expect(fresh.messages.map((f) => [f.message.id, f.message.seq])).toEqual([[sent.id, sent.seq]]);
    expect(fresh.updates.map((f) => [f.seq, f.clientId, f.message.seq])).toEqual([
      [edit.seq, "e1", sent.seq],
      [react.seq, "r1", sent.seq],
      [del.seq, "d1", sent.seq],
    ]);
    await end();
  });

  it("refusals keep the host's codes and change nothing on either object", { timeout: 60_000 }, async () => {
    const { host, guest, chat, g1, h, end } = await hostedDevices();
    const mine = await sendText(g1, chat, "c1");
    const theirs = await sendText(h, `u:${guest.user.id}`, "h1");
    await g1.next("message", (f) => f.message.id === theirs.id);
    // The host's message as the guest will have it once the host's messages come as entries: no copy here.
    await runInDurableObject(userStub(guest.user.id), (instance, state) => {
      state.storage.sql.exec("DELETE FROM messages WHERE id = ?", theirs.id);
      partsOf(instance).mailbox.lookup.forget(theirs.id);
    });
    const refused = async (frame: Record<string, unknown>, code: string) => {
      const clientId = frame.clientId as string;
      g1.send(frame);
      expect([clientId, (await g1.next("error", (f) => f.clientId === clientId)).code]).toEqual([clientId, code]);
    };
    const before = await both(host.user.id, guest.user.id);
    await refused({ type: "edit", clientId: "k1", id: theirs.id, text: "not mine" }, "not_your_message");
    await refused({ type: "delete", clientId: "k2", id: theirs.id, for: "everyone" }, "not_your_message");
    await refused({ type: "edit", clientId: "k3", id: unknownId(mine.id), text: "x" }, "unknown_message");
    await refused({ type: "react", clientId: "k4", id: unknownId(mine.id), emoji: "👍" }, "unknown_message");
    // Past the host's windows: too_late for edits and deletes.
    const windows = await runInDurableObject(userStub(host.user.id), (instance) => {
      const w = partsOf(instance).windows;
      const was = { ...w };
      Object.assign(w, { edit: 1, delete: 1 });
      return was;
    });
    await new Promise((r) => setTimeout(r, 10));
    await refused({ type: "edit", clientId: "k5", id: mine.id, text: "late" }, "too_late");
    await refused({ type: "delete", clientId: "k6", id: mine.id, for: "everyone" }, "too_late");
    await runInDurableObject(userStub(host.user.id), (instance) => Object.assign(partsOf(instance).windows, windows));
    // The guest blocked the host: its reaction is `blocked`; the host is asked only whether it knows the key.
    expect((await userStub(guest.user.id).block(host.user.id)).ok).toBe(true);
    await refused({ type: "react", clientId: "k9", id: mine.id, emoji: "👍" }, "blocked");
    await userStub(guest.user.id).unblock(host.user.id);
    expect(await both(host.user.id, guest.user.id)).toEqual(before);
    // The host blocked the guest: not a refusal (it would tell the guest it was blocked). Answered as always,
    // stored in the one copy the guest reads, and nothing on the host's device (./hosted-block.test.ts).
    expect((await userStub(host.user.id).block(guest.user.id)).ok).toBe(true);
    for (const frame of [
      { type: "edit", clientId: "k7", id: mine.id, text: "let me" },
      { type: "react", clientId: "k8", id: mine.id, emoji: "👍" },
    ]) {
      g1.send(frame);
      expect((await g1.next("update", (f) => f.clientId === frame.clientId)).message.id).toBe(mine.id);
    }
    const blocked = await both(host.user.id, guest.user.id);
    expect(blocked.host.rows.find((r) => r.id === mine.id)?.text).toBe("let me");
    expect(blocked.host.changes.slice(-2).map((r) => [r.kind, r.guest_client_id])).toEqual([
      ["update", "k7"],
      ["reacted", "k8"],
    ]);
    expect(blocked.guest.rows).toEqual(before.guest.rows);
    // The guest took both entries (and the host's message before them): its run stands at the last.
    expect(blocked.guest.runs[0]?.upto_pos).toBe(blocked.host.changes.at(-1)?.pos);
    h.send("ping");
    await h.until((s) => s.frames.includes("pong"));
    expect(h.of("update").filter((f) => f.message.id === mine.id)).toEqual([]);
    await userStub(host.user.id).unblock(guest.user.id);
    // A deleted message: message_deleted.
    g1.send({ type: "delete", clientId: "d1", id: mine.id, for: "everyone" });
    await g1.next("update", (f) => f.clientId === "d1");
    const deleted = await both(host.user.id, guest.user.id);
    await refused({ type: "edit", clientId: "k10", id: mine.id, text: "x" }, "message_deleted");
    await refused({ type: "react", clientId: "k11", id: mine.id, emoji: "👍" }, "message_deleted");
    expect(await both(host.user.id, guest.user.id)).toEqual(deleted);
    await end();
  });

  it("delete for me: hidden at the guest only; its retry answers the same; then it is unknown here", async () => {
    const { host, guest, chat, g1, g2, h, end } = await hostedDevices();
    const kept = await sendText(g1, chat, "c1");
    const gone = await sendText(g1, chat, "c2");
    await h.next("message", (f) => f.message.id === gone.id);
    const atHost = { rows: await hostedRows(host.user.id), changes: await changeRows(host.user.id) };
    g1.send({ type: "delete", clientId: "f1", id: gone.id, for: "me" });
    const removed = await g1.next("removed", (f) => f.clientId === "f1");
    expect(removed).toMatchObject({ chat, id: gone.id });
    expect(await g2.next("removed", (f) => f.clientId === "f1")).toEqual(removed);
    g1.send({ type: "delete", clientId: "f1", id: gone.id, for: "me" });
    await g1.until((s) => s.of("removed").length === 2);
    expect(g1.of("removed")[1]).toEqual(removed);
    const forgotten = await runInDurableObject(userStub(guest.user.id), (_i, state) =>
      state.storage.sql.exec<{ id: string }>("SELECT id FROM forgotten").toArray(),
    );
    expect(forgotten).toEqual([{ id: gone.id }]);
    // The host keeps it for itself: its row and the guest's history there are as they were.
    expect({ rows: await hostedRows(host.user.id), changes: await changeRows(host.user.id) }).toEqual(atHost);
    const fresh = await replay(guest.token, chat);
    expect(fresh.messages.map((f) => f.message.id)).toEqual([kept.id]);
    expect(fresh.removed.map((f) => [f.seq, f.id])).toEqual([[removed.seq, gone.id]]);
    // Gone for the guest: changing it, or forgetting an id not in the log, is unknown_message.
    for (const [clientId, frame] of [
      ["x1", { type: "edit", id: gone.id, text: "back" }],
      ["x2", { type: "react", id: gone.id, emoji: "👍" }],
      ["x3", { type: "delete", id: unknownId(gone.id), for: "me" }],
    ] as const) {
      g1.send({ ...frame, clientId });
      expect((await g1.next("error", (f) => f.clientId === clientId)).code).toBe("unknown_message");
    }
    expect({ rows: await hostedRows(host.user.id), changes: await changeRows(host.user.id) }).toEqual(atHost);
    expect((await changeRows(guest.user.id)).map((r) => [r.kind, r.target])).toEqual([["removed", gone.id]]);
    await end();
  });

  it("a host that cannot be reached: `unavailable`, nothing changed; the retry is stored once", async () => {
    const { host, guest, chat, g1, end } = await hostedDevices();
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const sent = await sendText(g1, chat, "c1");
    const before = await both(host.user.id, guest.user.id);
    const restore = await hostFails(guest.user.id, host.user.id, "hostedChange", false);
    g1.send({ type: "edit", clientId: "e1", id: sent.id, text: "edited" });
    expect((await g1.next("error", (f) => f.clientId === "e1")).code).toBe("unavailable");
    expect(await both(host.user.id, guest.user.id)).toEqual(before);
    await restore();
    g1.send({ type: "edit", clientId: "e1", id: sent.id, text: "edited" });
    await g1.next("update", (f) => f.clientId === "e1");
    expect((await changeRows(host.user.id)).map((r) => r.guest_client_id)).toEqual(["e1"]);
    // Delete for me reads the message from the host first: unreachable, nothing hidden.
    const hidden = await both(host.user.id, guest.user.id);
    const back = await hostFails(guest.user.id, host.user.id, "hostedMessage", false);
    g1.send({ type: "delete", clientId: "f1", id: sent.id, for: "me" });
    expect((await g1.next("error", (f) => f.clientId === "f1")).code).toBe("unavailable");
    expect(await both(host.user.id, guest.user.id)).toEqual(hidden);
    await back();
    await end();
  });
});
