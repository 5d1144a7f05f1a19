// Changes in a hosted chat's log (./hosted-log.ts, schema step 20,
// docs/one-copy-per-chat.md "Changes in a hosted chat, as built"): the host's
// edits, deletes for everyone and reactions of messages in the log take
// positions from the counter its messages take theirs from, the chat row
// written with them; the guest reads them as a group member reads a group's
// change entries; a change of a message from before hosting is not in the log.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChatId, ClientFrame, ServerFrame } from "../../shared/protocol";
import { clearAlarms } from "../../test/groups";
import { connect, type TestSocket, userStub } from "../../test/helpers";
import { changeRows, guestMessage, hostAndGuest, hostedRows, partsOf, storedChats } from "../../test/hosted";

type Update = Extract<ServerFrame, { type: "update" }>;

function value<T>(answer: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!answer.ok) throw new Error(`refused: ${answer.error.code}`);
  return answer.value;
}

/** Sends an action frame and answers its `update` (or fails with the error frame's code). */
async function act(socket: TestSocket, frame: ClientFrame & { clientId: string }): Promise<Update> {
  const before = socket.of("update").filter((f) => f.clientId === frame.clientId).length;
  socket.send(frame);
  await socket.until(
    (s) =>
      s.of("update").filter((f) => f.clientId === frame.clientId).length > before ||
      s.of("error").some((f) => f.clientId === frame.clientId),
  );
  const error = socket.of("error").find((f) => f.clientId === frame.clientId);
  if (error) throw new Error(error.code);
  return socket.of("update").filter((f) => f.clientId === frame.clientId)[before] as Update;
}

describe("changes in a hosted chat's log, at the host", () => {
  it("take positions after the messages', the chat row written with each; the guest reads them", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    const first = value(await stub.appendFromGuest(guest.user.id, guestMessage("a", 1)));
    const h = await connect(host.token);
    h.send({ type: "send", clientId: "own", chat, text: "the host's own" });
    const own = await h.next("sent", (f) => f.clientId === "own");
    const edited = await act(h, { type: "edit", clientId: "e1", id: own.id, text: "edited" });
    expect(edited.message).toMatchObject({ id: own.id, text: "edited" });
    const liked = await act(h, { type: "react", clientId: "r1", id: first.id, emoji: "👍" });
    await act(h, { type: "react", clientId: "r2", id: first.id, emoji: "❤️" });
    // A retried reaction answers the first answer and stores nothing.
    const rowsBefore = await changeRows(host.user.id);
    const retried = await act(h, { type: "react", clientId: "r2", id: first.id, emoji: "❤️" });
    expect(await changeRows(host.user.id)).toEqual(rowsBefore);
    const removed = await act(h, { type: "delete", clientId: "d1", id: own.id, for: "everyone" });
    expect(removed.message.deletedAt).toBeDefined();

    // One entry per change, reactions included (a group's too), in positions after the messages'.
    expect((await changeRows(host.user.id)).map((r) => [r.kind, r.pos, r.target, r.client_id])).toEqual([
      ["update", 3, own.id, "e1"],
      ["reacted", 4, first.id, null],
      ["reacted", 5, first.id, null],
      ["update", 6, own.id, "d1"],
    ]);
    expect(retried.seq).toBe(h.of("update").find((f) => f.clientId === "r2")?.seq);
    expect(liked.seq).toBeLessThan(retried.seq);
    // The chat row was written with each change: stored as it is, nothing waiting.
    expect((await storedChats(host.user.id, false)).map((c) => c.next_pos)).toEqual([7]);

    const log = value(await stub.hostedPull(guest.user.id, "", 100));
    expect(log.entries.map((e) => [e.pos, e.change?.pos ?? null, e.message.id])).toEqual([
      [1, null, first.id],
      [2, null, own.id],
      [3, 2, own.id],
      [4, 1, first.id],
      [5, 1, first.id],
      [6, 2, own.id],
    ]);
    // Each change as its message is now (deleted), named as the guest names the chat; no clientId of the host's.
    const changes = log.entries.filter((e) => e.change);
    expect(changes.every((e) => e.change?.clientId === undefined)).toBe(true);
    expect(changes.every((e) => e.message.chat === `u:${host.user.id}`)).toBe(true);
    expect(log.entries[2]?.message).toMatchObject({ text: "", deletedAt: removed.message.deletedAt });
    expect(log.entries[4]?.message.reactions).toEqual([{ from: host.user.id, emoji: "❤️" }]);
    expect(log.through).toBe(log.entries[5]?.id);
    // Pages: after an entry id, a limit, and a range of positions.
    const after = value(await stub.hostedPull(guest.user.id, log.entries[2]?.id ?? "", 2));
    expect(after.entries.map((e) => e.pos)).toEqual([4, 5]);
    expect(value(await stub.hostedEntries(guest.user.id, 3, 5)).map((e) => e.pos)).toEqual([3, 4, 5]);
    expect(value(await stub.hostedEntries(guest.user.id, 2, 2)).map((e) => e.pos)).toEqual([2]);
    // History and one message answer messages only, as a group's do.
    expect(value(await stub.hostedHistory(guest.user.id, undefined, 10)).map((e) => e.pos)).toEqual([1, 2]);
    expect(value(await stub.hostedMessage(guest.user.id, log.entries[3]?.id ?? ""))).toBeNull();
    // The next message takes the next position.
    expect(value(await stub.appendFromGuest(guest.user.id, guestMessage("b", 2))).pos).toBe(7);
    h.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  });

  it("a change of a message from before hosting is not in the log", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    const h = await connect(host.token);
    h.send({ type: "send", clientId: "old", chat, text: "before hosting" });
    const old = await h.next("sent", (f) => f.clientId === "old");
    const first = value(await stub.appendFromGuest(guest.user.id, guestMessage("a", 1)));
    expect((await storedChats(host.user.id))[0]?.hosted_from).toBe(old.id);
    await act(h, { type: "edit", clientId: "e-old", id: old.id, text: "edited before" });
    await act(h, { type: "react", clientId: "r-old", id: old.id, emoji: "👍" });
    // Today's rows: an update entry, and the message's one react entry, without positions.
    expect((await changeRows(host.user.id)).map((r) => [r.kind, r.pos, r.target])).toEqual([
      ["update", null, old.id],
      ["react", null, old.id],
    ]);
    const log = value(await stub.hostedPull(guest.user.id, "", 100));
    expect(log.entries.map((e) => [e.pos, e.id])).toEqual([[1, first.id]]);
    expect((await storedChats(host.user.id)).map((c) => c.next_pos)).toEqual([2]);
    h.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  });

  it("a guest's object pulling through the group code shows a change as an update on sync", async () => {
    const { host, guest, stub } = await hostAndGuest();
    // The guest's messages, stored at the host only (the host's own would still reach the guest as copies).
    const first = value(await stub.appendFromGuest(guest.user.id, guestMessage("a", 1)));
    const second = value(await stub.appendFromGuest(guest.user.id, guestMessage("b", 2)));
    const h = await connect(host.token);
    const chat: ChatId = `u:${host.user.id}`;
    const mine = userStub(guest.user.id);
    await runInDurableObject(mine, (instance) => partsOf(instance).groupReads.pull(chat));
    await act(h, { type: "react", clientId: "r1", id: first.id, emoji: "👍" });
    await runInDurableObject(mine, (instance) => partsOf(instance).groupReads.pull(chat));
    const device = await connect(guest.token);
    await device.speak();
    const shown = device.of("message").filter((f) => f.message.chat === chat);
    expect(shown.map((f) => f.message.id)).toEqual([first.id, second.id]);
    const updates = device.of("update").filter((f) => f.message.chat === chat);
    expect(updates.map((f) => [f.message.id, f.message.reactions])).toEqual([
      [first.id, [{ from: host.user.id, emoji: "👍" }]],
    ]);
    // The update shows the message at the seq it was given, after the messages' seqs.
    expect(updates[0]?.message.seq).toBe(shown[0]?.message.seq);
    expect(updates[0]?.seq).toBeGreaterThan(shown[1]?.message.seq ?? Number.MAX_SAFE_INTEGER);
    expect(await hostedRows(guest.user.id)).toEqual([]);
    h.close();
    device.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  });

  it("the host's own edit whose chat row fails: an error, nothing stored nor handed to the guest", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    value(await stub.appendFromGuest(guest.user.id, guestMessage("a", 1)));
    const h = await connect(host.token);
    h.send({ type: "send", clientId: "own", chat, text: "the host's own" });
    const own = await h.next("sent", (f) => f.clientId === "own");
    await clearAlarms([], [host.user.id, guest.user.id]);
    const sql = (query: string) =>
      runInDurableObject(stub, (_instance, state) => state.storage.sql.exec(query).toArray());
    const before = { messages: await hostedRows(host.user.id), chats: await storedChats(host.user.id) };
    const outbox = await sql("SELECT * FROM outbox");
    await sql("CREATE TRIGGER injected BEFORE UPDATE ON chats BEGIN SELECT RAISE(ABORT, 'injected'); END");
    await expect(act(h, { type: "edit", clientId: "e1", id: own.id, text: "edited" })).rejects.toThrow("internal");
    await sql("DROP TRIGGER injected");
    expect(await changeRows(host.user.id)).toEqual([]);
    expect({ messages: await hostedRows(host.user.id), chats: await storedChats(host.user.id) }).toEqual(before);
    expect(await sql("SELECT * FROM outbox")).toEqual(outbox);
    // Sent again (a new frame), it is stored once, at the next position.
    await act(h, { type: "edit", clientId: "e2", id: own.id, text: "edited" });
    expect((await changeRows(host.user.id)).map((r) => [r.pos, r.client_id])).toEqual([[3, "e2"]]);
    expect((await storedChats(host.user.id, false)).map((c) => c.next_pos)).toEqual([4]);
    h.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  });
});
