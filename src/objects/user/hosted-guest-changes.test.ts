// A guest's edits, deletes for everyone and reactions in the chat its host
// keeps (./hosted-changes.ts, UserObject.hostedChange): today's one-to-one
// rules and codes, an entry of the log at the next position with the guest's
// clientId, the host's devices shown the change, a retry answered the first
// answer with nothing stored, every refusal answered with a code and nothing
// written; and crashes and a failed write on the way (nothing lost answered,
// nothing twice).

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChatId } from "../../shared/protocol";
import type { HostedChange } from "../../shared/schemas/hosted";
import { rows } from "../../test/actions";
import { crash } from "../../test/group-faults";
import { clearAlarms } from "../../test/groups";
import { connect, register, userStub } from "../../test/helpers";
import { changeRows, guestMessage, hostAndGuest, hostedRows, partsOf, storedChats } from "../../test/hosted";
import { type HostedChangeAnswer, hostedChange } from "./hosted-changes";
import { changeHost } from "./sides";

function value<T>(answer: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!answer.ok) throw new Error(`refused: ${answer.error.code}`);
  return answer.value;
}

const code = (answer: { ok: boolean; error?: { code: string } }) => (answer.ok ? "ok" : answer.error?.code);

/** A hosted chat with a guest's message (pos 1) and the host's own (pos 2). */
async function hostedChat() {
  const { host, guest, chat, stub } = await hostAndGuest();
  const theirs = value(await stub.appendFromGuest(guest.user.id, guestMessage("a", 1)));
  const h = await connect(host.token);
  h.send({ type: "send", clientId: "own", chat, text: "the host's own" });
  const own = await h.next("sent", (f) => f.clientId === "own");
  return { host, guest, chat, stub, h, theirs, own };
}

/** An id of the same shape that is not `id`: its last character changed (ids end in random characters). */
function otherId(id: string): string {
  return `${id.slice(0, -1)}${id.endsWith("x") ? "y" : "x"}`;
}

/** What a refusal must leave as it was: the change rows, the messages and the chat rows. */
async function state(hostId: string) {
  return { changes: await changeRows(hostId), rows: await hostedRows(hostId), chats: await storedChats(hostId) };
}

describe("hostedChange: a guest's changes at the host", () => {
  it("edits, reacts and deletes as entries of the log; a retry answers the first answer", async () => {
    const { host, guest, stub, h, theirs, own } = await hostedChat();
    const g = guest.user.id;
    const edit = value(await stub.hostedChange(g, "e1", { action: "edit", id: theirs.id, text: "edited" }));
    expect(edit).toMatchObject({ pos: 3, entry: { pos: 3, change: { pos: 1, clientId: "e1" } } });
    expect(edit.entry.message).toMatchObject({ id: theirs.id, text: "edited", chat: `u:${host.user.id}` });
    expect(edit.entry.message.editedAt).toBe(edit.ts);
    const react = value(await stub.hostedChange(g, "r1", { action: "react", id: own.id, emoji: "👍" }));
    expect(react.entry).toMatchObject({ pos: 4, change: { pos: 2, clientId: "r1" } });
    expect(react.entry.message.reactions).toEqual([{ from: g, emoji: "👍" }]);
    const unreact = value(await stub.hostedChange(g, "r2", { action: "react", id: own.id, emoji: null }));
    expect(unreact.entry.message.reactions).toBeUndefined();
    const del = value(await stub.hostedChange(g, "d1", { action: "delete", id: theirs.id }));
    expect(del.entry.message).toMatchObject({ text: "", deletedAt: del.ts, deletedBy: g });
    // The host's devices were shown each, as a peer's change today: no clientId of the guest's.
    await h.until((s) => s.of("update").length >= 4);
    expect(h.of("update").map((f) => [f.message.id, f.clientId])).toEqual([
      [theirs.id, undefined],
      [own.id, undefined],
      [own.id, undefined],
      [theirs.id, undefined],
    ]);
    const before = await state(host.user.id);
    expect(before.changes.map((r) => [r.kind, r.pos, r.client_id, r.guest, r.guest_client_id])).toEqual([
      ["update", 3, null, g, "e1"],
      ["reacted", 4, null, g, "r1"],
      ["reacted", 5, null, g, "r2"],
      ["update", 6, null, g, "d1"],
    ]);
    // Retries: the first answer (the message as it is now), nothing written.
    expect(value(await stub.hostedChange(g, "e1", { action: "edit", id: theirs.id, text: "edited" }))).toMatchObject({
      id: edit.id,
      ts: edit.ts,
      pos: 3,
    });
    expect(value(await stub.hostedChange(g, "d1", { action: "delete", id: theirs.id })).id).toBe(del.id);
    expect(value(await stub.hostedChange(g, "r1", { action: "react", id: own.id, emoji: "👍" })).id).toBe(react.id);
    // The same key for another action is refused.
    expect(code(await stub.hostedChange(g, "e1", { action: "delete", id: theirs.id }))).toBe("invalid_field");
    expect(code(await stub.hostedChange(g, "r1", { action: "edit", id: theirs.id, text: "x" }))).toBe("invalid_field");
    expect(await state(host.user.id)).toEqual(before);
    // The log, read by the guest: the changes in order, each with the guest's clientId.
    const log = value(await stub.hostedPull(g, "", 100));
    expect(log.entries.map((e) => [e.pos, e.change?.pos, e.change?.clientId])).toEqual([
      [1, undefined, undefined],
      [2, undefined, undefined],
      [3, 1, "e1"],
      [4, 2, "r1"],
      [5, 2, "r2"],
      [6, 1, "d1"],
    ]);
    // The host's own change of the same chat carries no clientId for the guest, and takes the next position.
    h.send({ type: "edit", clientId: "host-e", id: own.id, text: "the host's, edited" });
    await h.next("update", (f) => f.clientId === "host-e");
    const [last] = value(await stub.hostedEntries(g, 7, 7));
    expect(last?.change).toEqual({ pos: 2 });
    h.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  });

  it("a guest's object pulling through the group code shows the guest's edit as an update on sync", async () => {
    const { host, guest, stub, h, theirs } = await hostedChat();
    const chat: ChatId = `u:${host.user.id}`;
    const mine = userStub(guest.user.id);
    await runInDurableObject(mine, (instance) => partsOf(instance).groupReads.pull(chat));
    value(await stub.hostedChange(guest.user.id, "e1", { action: "edit", id: theirs.id, text: "plum, edited" }));
    await runInDurableObject(mine, (instance) => partsOf(instance).groupReads.pull(chat));
    const device = await connect(guest.token);
    await device.speak();
    const shown = device.of("message").find((f) => f.message.id === theirs.id);
    const updates = device.of("update").filter((f) => f.message.chat === chat);
    expect(updates.map((f) => [f.message.id, f.message.text, f.clientId])).toEqual([[theirs.id, "plum, edited", "e1"]]);
    expect(updates[0]?.message.seq).toBe(shown?.message.seq);
    h.close();
    device.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  });

  it("refuses with today's codes and writes nothing", { timeout: 60_000 }, async () => {
    const { host, guest, chat, stub, h, theirs, own } = await hostedChat();
    const g = guest.user.id;
    const before = await state(host.user.id);
    const cases: [string, string, unknown, string][] = [
      [g, "k1", "not an object", "invalid_body"],
      [g, "k2", { action: "pin", id: theirs.id }, "invalid_field"],
      [g, "k3", { action: "edit", id: "nope", text: "x" }, "invalid_field"],
      [g, "k4", { action: "edit", id: theirs.id, text: "x".repeat(5000) }, "text_too_long"],
      [g, "k5", { action: "react", id: theirs.id, emoji: "no" }, "invalid_emoji"],
      [g, "", { action: "delete", id: theirs.id }, "invalid_field"],
      [host.user.id, "k6", { action: "delete", id: theirs.id }, "forbidden"],
      [g, "k7", { action: "edit", id: own.id, text: "not mine" }, "not_your_message"],
      [g, "k8", { action: "delete", id: own.id }, "not_your_message"],
      [g, "k9", { action: "edit", id: otherId(theirs.id), text: "x" }, "unknown_message"],
    ];
    for (const [who, key, change, expected] of cases) {
      const answer = await stub.hostedChange(who, key, change as HostedChange);
      expect([key, code(answer)]).toEqual([key, expected]);
    }
    // A user with no chat hosted here.
    const stranger = await register();
    if (stranger.user.id > host.user.id) {
      expect(code(await stub.hostedChange(stranger.user.id, "k10", { action: "delete", id: theirs.id }))).toBe(
        "not_found",
      );
    }
    // Past the windows (the clock moved two days on): too_late for edits and deletes, not for reactions.
    const later = Date.now() + 2 * 24 * 3600 * 1000;
    const late = await runInDurableObject(stub, async (instance) => {
      const me = changeHost(partsOf(instance));
      return Promise.all(
        (["edit", "delete"] as const).map((action) =>
          hostedChange(me, g, `late-${action}`, { action, id: theirs.id, text: "late" }, later).catch(
            (err: { code: string }) => err.code,
          ),
        ),
      );
    });
    expect(late).toEqual(["too_late", "too_late"]);
    expect(await state(host.user.id)).toEqual(before);
    // The host blocked the guest (seen in the same block as the write): not refused, which would tell the
    // guest. The reaction is an entry of the log the guest reads; its cid is marked so that no device of the
    // host's gets it, live or on sync (./hosted-block.test.ts).
    await runInDurableObject(stub, (instance) => partsOf(instance).blocks.add(g, Date.now()));
    const reacted = value(await stub.hostedChange(g, "k11", { action: "react", id: own.id, emoji: "👍" }));
    expect(reacted.entry.message.reactions).toMatchObject([{ emoji: "👍", from: g }]);
    const blocked = await state(host.user.id);
    expect(blocked.rows).toEqual(before.rows);
    expect(blocked.changes.slice(before.changes.length).map((r) => [r.kind, r.cid, r.guest_client_id])).toEqual([
      ["reacted", reacted.id, "k11"],
    ]);
    expect(await rows(host.user.id, "SELECT id FROM forgotten")).toEqual([{ id: reacted.id }]);
    h.send("ping");
    await h.until((s) => s.frames.includes("pong"));
    expect(h.of("update").filter((f) => f.message.id === own.id)).toEqual([]);
    await runInDurableObject(stub, (instance) => partsOf(instance).blocks.remove(g));
    // A deleted message: message_deleted, for edits, deletes and reactions alike.
    value(await stub.hostedChange(g, "d1", { action: "delete", id: theirs.id }));
    const deleted = await state(host.user.id);
    for (const change of [
      { action: "edit", id: theirs.id, text: "x" },
      { action: "delete", id: theirs.id },
      { action: "react", id: theirs.id, emoji: "👍" },
    ] as HostedChange[]) {
      expect(code(await stub.hostedChange(g, `after-${change.action}`, change))).toBe("message_deleted");
    }
    expect(await state(host.user.id)).toEqual(deleted);
    expect(chat).toBe(`u:${g}`);
    h.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  });
});

describe("hostedChange, crashes and a failed write", { timeout: 60_000 }, () => {
  it("the host dies after its commit and before its answer: the retry gets the same answer, one entry", async () => {
    const { host, guest, stub, h, theirs } = await hostedChat();
    h.close();
    let lost: HostedChangeAnswer | undefined;
    await runInDurableObject(stub, async (instance, state) => {
      const me = changeHost(partsOf(instance));
      lost = await hostedChange(me, guest.user.id, "e1", { action: "edit", id: theirs.id, text: "edited" });
      await state.storage.sync();
      state.abort("test crash: after the commit, before the answer");
    }).catch(() => undefined);
    expect(lost?.pos).toBe(3);
    const woken = userStub(host.user.id);
    const retried = value(await woken.hostedChange(guest.user.id, "e1", { action: "edit", id: theirs.id, text: "x" }));
    expect([retried.id, retried.pos, retried.entry.message.text]).toEqual([lost?.id, 3, "edited"]);
    expect((await changeRows(host.user.id)).map((r) => r.pos)).toEqual([3]);
    // The chat row was written with the change: the next entry takes the next position.
    expect(value(await woken.appendFromGuest(guest.user.id, guestMessage("b", 2))).pos).toBe(4);
    await clearAlarms([], [host.user.id, guest.user.id]);
  });

  it("the host dies before its commit: the retry stores it once", async () => {
    const { host, guest, stub, h, theirs } = await hostedChat();
    h.close();
    await runInDurableObject(stub, (instance, state) => {
      const me = changeHost(partsOf(instance));
      void hostedChange(me, guest.user.id, "e1", { action: "edit", id: theirs.id, text: "edited" });
      state.abort("test crash: before the commit");
    }).catch(() => undefined);
    await crash(userStub(host.user.id));
    const woken = userStub(host.user.id);
    const retried = value(await woken.hostedChange(guest.user.id, "e1", { action: "edit", id: theirs.id, text: "e" }));
    expect(retried.pos).toBe(3);
    expect((await changeRows(host.user.id)).map((r) => [r.pos, r.guest_client_id])).toEqual([[3, "e1"]]);
    await clearAlarms([], [host.user.id, guest.user.id]);
  });

  it("the chat row's write fails: no change row, the message as it was; the retry stores it once", async () => {
    const { host, guest, stub, h, theirs } = await hostedChat();
    const run = (query: string) =>
      runInDurableObject(stub, (_instance, state) => {
        state.storage.sql.exec(query);
      });
    const before = await state(host.user.id);
    const updates = h.of("update").length;
    await run("CREATE TRIGGER injected BEFORE UPDATE ON chats BEGIN SELECT RAISE(ABORT, 'injected'); END");
    const failed = await stub.hostedChange(guest.user.id, "e1", { action: "edit", id: theirs.id, text: "edited" });
    expect(failed).toEqual({ ok: false, error: { code: "internal", message: "the change was not stored; try again" } });
    const react = await stub.hostedChange(guest.user.id, "r1", { action: "react", id: theirs.id, emoji: "👍" });
    expect(code(react)).toBe("internal");
    await run("DROP TRIGGER injected");
    expect(await state(host.user.id)).toEqual(before);
    expect(await runInDurableObject(stub, (_i, s) => s.storage.sql.exec("SELECT * FROM reactions").toArray())).toEqual(
      [],
    );
    expect(h.of("update").length).toBe(updates);
    const stored = value(
      await stub.hostedChange(guest.user.id, "e1", { action: "edit", id: theirs.id, text: "edited" }),
    );
    expect(stored.pos).toBe(3);
    expect((await changeRows(host.user.id)).map((r) => r.pos)).toEqual([3]);
    expect((await storedChats(host.user.id)).map((c) => c.next_pos)).toEqual([4]);
    h.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  });
});
