// The host's own version of a row its blocked guest changed (./host-views.ts;
// docs/one-copy-per-chat.md, "Blocking in a hosted chat, as built"): while
// the host blocks its guest, the host keeps seeing the text and the guest's
// reaction it saw before, in its history, sync, chat list, message info and
// live frames, as today's two copies drop such changes on arrival
// (docs/protocol.md, "Blocking"); the guest sees its own changes everywhere.
// A delete for everyone applies; after an unblock a new change shows.

import { afterEach, describe, expect, it, vi } from "vitest";
import { replay, rows } from "../../test/actions";
import { clearAlarms } from "../../test/groups";
import { userStub } from "../../test/helpers";
import { change, guestHistory, hostSees, pair, seen, sendText, settled } from "../../test/host-views";
import { hostedRows } from "../../test/hosted";
import { hostedChat, value } from "../../test/hosted-archive";
import { archiveAll, configureArchive, historyPages, TINY } from "../../test/mailbox-archive";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a host that blocked its guest keeps its own version of the guest's changes", { timeout: 60_000 }, () => {
  it("history, sync, chat list, message info and live frames show the host what it saw; the guest its changes", async () => {
    const { host, guest, stub, chat, atHost, g1, g2, h, end } = await pair();
    const G = guest.user.id;
    const H = host.user.id;
    // The guest's first message makes the chat hosted; the host's own is then an entry of its log.
    const first = await sendText(g1, chat, "c0", "hello");
    await h.next("message", (f) => f.message.id === first.id);
    h.send({ type: "send", clientId: "hc", chat: atHost, text: "the host's own" });
    const own = await h.next("sent", (f) => f.clientId === "hc");
    await g1.next("message", (f) => f.message.id === own.id);
    await change(g1, { type: "react", clientId: "r0", id: own.id, emoji: "👍" });
    await h.next("update", (f) => f.message.id === own.id);
    const before = await sendText(g1, chat, "c1", "before the block");
    await h.next("message", (f) => f.message.id === before.id);
    const saw = await hostSees(host.token, H, atHost, before.id);
    expect(saw.history).toEqual(["before the block", false, []]);

    expect((await stub.block(G)).ok).toBe(true);
    for (const frame of [
      { type: "edit", clientId: "e1", id: before.id, text: "edited while blocked" },
      { type: "edit", clientId: "e2", id: before.id, text: "edited twice while blocked" },
      { type: "react", clientId: "r1", id: before.id, emoji: "🎉" },
      { type: "react", clientId: "r2", id: own.id, emoji: "❤️" },
    ]) {
      const answer = await change(g1, frame);
      expect(await g2.next("update", (f) => f.clientId === frame.clientId)).toEqual(answer);
    }
    await settled(h);
    expect(h.of("update").filter((f) => f.message.id === before.id)).toEqual([]);

    // The host: history, a fresh device's sync and the chat list's last message as before the block.
    const after = await hostSees(host.token, H, atHost, before.id);
    expect(after).toEqual({ history: saw.history, synced: [saw.history], last: saw.history });
    expect((await hostSees(host.token, H, atHost, own.id)).history).toEqual(["the host's own", false, [`${G}:👍`]]);
    const info = await stub.receiptsOf(atHost, own.id);
    expect(info.ok && seen(info.value.message)).toEqual(["the host's own", false, [`${G}:👍`]]);
    // Search: the index holds the guest's words; the host finds the message by none of them (its own are not indexed).
    const found = await stub.search({ words: ["twice"], limit: 10 });
    expect(found.ok && found.value.map((m) => m.id)).toEqual([]);
    // One saved row for `before` (the first edit's text, then the reaction), one for `own`.
    expect(await rows(H, "SELECT id, text, edited_at, reaction FROM host_views ORDER BY id")).toEqual(
      [
        { id: before.id, text: "before the block", edited_at: null, reaction: "" },
        { id: own.id, text: null, edited_at: null, reaction: "👍" },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );

    // A live frame of the host's own change carries the host's version; the guest's of it, the guest's.
    h.send({ type: "edit", clientId: "he", id: own.id, text: "the host's own, edited" });
    const mine = await h.next("update", (f) => f.clientId === "he");
    expect(seen(mine.message)).toEqual(["the host's own, edited", true, [`${G}:👍`]]);
    const theirs = await g1.next("update", (f) => f.message.id === own.id && f.message.text.endsWith("edited"));
    expect(seen(theirs.message)).toEqual(["the host's own, edited", true, [`${G}:❤️`]]);

    const guestFound = await userStub(G).search({ words: ["twice"], limit: 10 });
    expect(guestFound.ok && guestFound.value.map((m) => m.id)).toEqual([before.id]);
    // The guest: its history and a fresh device's sync show its changes.
    const mineAtGuest = await guestHistory(guest.token, chat);
    expect(seen(mineAtGuest.get(before.id))).toEqual(["edited twice while blocked", true, [`${G}:🎉`]]);
    expect(seen(mineAtGuest.get(own.id))).toEqual(["the host's own, edited", true, [`${G}:❤️`]]);
    const guestSync = (await replay(guest.token)).flatMap((f) =>
      typeof f !== "string" && (f.type === "message" || f.type === "update") && f.message.id === before.id
        ? [f.message]
        : [],
    );
    expect(seen(guestSync.at(-1))).toEqual(["edited twice while blocked", true, [`${G}:🎉`]]);
    await end();
  });

  it("a delete for everyone while blocked applies for the host, and its saved version goes", async () => {
    const { host, guest, stub, chat, atHost, g1, h, end } = await pair();
    const before = await sendText(g1, chat, "c1", "before the block");
    await h.next("message", (f) => f.message.id === before.id);
    expect((await stub.block(guest.user.id)).ok).toBe(true);
    await change(g1, { type: "edit", clientId: "e1", id: before.id, text: "edited while blocked" });
    await change(g1, { type: "react", clientId: "r1", id: before.id, emoji: "🎉" });
    expect((await rows(host.user.id, "SELECT id FROM host_views")).length).toBe(1);
    await change(g1, { type: "delete", clientId: "d1", id: before.id, for: "everyone" });
    const deleted = await h.next("update", (f) => f.message.id === before.id);
    expect(deleted.message).toMatchObject({ text: "", deletedBy: guest.user.id });
    expect(deleted.message.reactions).toBeUndefined();
    // The message's edit time stays on the deleted row (as any deleted message's does): the guest's edit's.
    const gone = await hostSees(host.token, host.user.id, atHost, before.id);
    expect(gone.history).toEqual(["", true, []]);
    expect(gone.last).toEqual(gone.history);
    expect(gone.synced.at(-1)).toEqual(gone.history);
    expect(await rows(host.user.id, "SELECT id FROM host_views")).toEqual([]);
    await end();
  });

  it("after an unblock, a new edit shows to the host, and then a new reaction", async () => {
    const { host, guest, stub, chat, atHost, g1, h, end } = await pair();
    const H = host.user.id;
    const G = guest.user.id;
    const before = await sendText(g1, chat, "c1", "before the block");
    await h.next("message", (f) => f.message.id === before.id);
    expect((await stub.block(G)).ok).toBe(true);
    await change(g1, { type: "edit", clientId: "e1", id: before.id, text: "edited while blocked" });
    await change(g1, { type: "react", clientId: "r1", id: before.id, emoji: "🎉" });
    await stub.unblock(G);

    await change(g1, { type: "edit", clientId: "e2", id: before.id, text: "edited after" });
    const edited = await h.next("update", (f) => f.message.id === before.id);
    // The new text; the reaction made while blocked stays the host's old view until the guest reacts again.
    expect(seen(edited.message)).toEqual(["edited after", true, []]);
    expect((await hostSees(host.token, H, atHost, before.id)).history).toEqual(["edited after", true, []]);
    expect(await rows(H, "SELECT text, reaction FROM host_views")).toEqual([{ text: null, reaction: "" }]);

    await change(g1, { type: "react", clientId: "r2", id: before.id, emoji: "👍" });
    const reacted = await h.next("update", (f) => f.message.id === before.id && (f.message.reactions ?? []).length > 0);
    expect(seen(reacted.message)).toEqual(["edited after", true, [`${G}:👍`]]);
    const now = await hostSees(host.token, H, atHost, before.id);
    expect(now.history).toEqual(["edited after", true, [`${G}:👍`]]);
    expect(now.last).toEqual(now.history);
    expect(now.synced.length).toBeGreaterThan(0);
    for (const s of now.synced) expect(s).toEqual(now.history);
    expect(await rows(H, "SELECT id FROM host_views")).toEqual([]);
    await end();
  });

  it("rows moved to R2 keep the host's version; the guest reads its own", async () => {
    const { host, stub, g, ids } = await hostedChat(12);
    const [a = "", b = ""] = ids;
    expect((await stub.block(g)).ok).toBe(true);
    value(await stub.hostedChange(g, "e1", { action: "edit", id: a, text: "edited while blocked" }));
    value(await stub.hostedChange(g, "r2", { action: "react", id: b, emoji: "🎉" }));
    await configureArchive(host.user.id, TINY);
    expect(await archiveAll(host.user.id)).toBeGreaterThan(0);
    expect((await hostedRows(host.user.id)).map((r) => r.id)).not.toContain(a);
    const hostHistory = await historyPages(host.token, `u:${g}`, 10);
    expect([a, b].map((id) => seen(hostHistory.find((m) => m.id === id)))).toEqual([
      ["m1 turnip", false, []],
      ["m2 turnip", false, []],
    ]);
    const guestSide = value(await stub.hostedHistory(g, undefined, 50)).map((e) => e.message);
    expect([a, b].map((id) => seen(guestSide.find((m) => m.id === id)))).toEqual([
      ["edited while blocked", true, []],
      ["m2 turnip", false, [`${g}:🎉`]],
    ]);
    await clearAlarms([], [host.user.id]);
  });
});
