// The host's "delete for me" in a hosted chat (./changes.ts `hide`, ./hidden.ts,
// docs/one-copy-per-chat.md "Delete for me in a hosted chat, as built"): the
// row is the guest's only copy, so it stays; the host's own views (devices,
// history, sync, search in the index and its tail, the chat list, message
// info) leave it out, the guest's reads through the host still answer it, a
// guest's retry of it answers the first answer, and the chat row and
// `hosted_from` outlive the last row shown. Then crashes around its commit.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChatId } from "../../shared/protocol";
import { act, closeAll, replay, rows } from "../../test/actions";
import { clearAlarms } from "../../test/groups";
import { connect, userStub } from "../../test/helpers";
import { changeRows, guestMessage, hostAndGuest, hostedRows, partsOf, storedChats } from "../../test/hosted";
import { archiveAll, configureArchive, historyPages, TINY } from "../../test/mailbox-archive";
import { matchExpression } from "./search-query";
import { SEARCH_TAIL_SEQS } from "./search-triggers";

function value<T>(answer: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!answer.ok) throw new Error(`refused: ${answer.error.code}`);
  return answer.value;
}

type Stub = ReturnType<typeof userStub>;

async function found(stub: Stub, word: string): Promise<string[]> {
  return value(await stub.search({ words: [word], limit: 50 })).map((m) => m.id);
}

async function guestFinds(stub: Stub, guest: string, word: string): Promise<string[]> {
  return value(await stub.hostedSearch(guest, matchExpression([word]), undefined, 50)).map((e) => e.id);
}

describe("delete for me in a hosted chat, at the host", { timeout: 60_000 }, () => {
  it("hides the row from the host's views and keeps it for the guest", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    const g = guest.user.id;
    const keep = value(await stub.appendFromGuest(g, guestMessage("keep", 1, { text: "kept heron" })));
    const drop = value(await stub.appendFromGuest(g, guestMessage("drop", 2, { text: "dropped pelican" })));
    const h = await connect(host.token);
    const h2 = await connect(host.token);
    h.send({ type: "send", clientId: "own", chat, text: "own pelican" });
    const own = await h.next("sent", (f) => f.clientId === "own");
    expect((await stub.chats())[0]).toMatchObject({ lastMessage: { id: own.id }, unread: 2 });
    const before = (await hostedRows(host.user.id)).length;

    // The guest's message, then the host's own (the chat's newest, so the list falls back to the one before).
    expect(await act(h, { type: "delete", clientId: "d1", id: drop.id, for: "me" })).toMatchObject({
      type: "removed",
      chat,
      id: drop.id,
    });
    await h2.next("removed", (f) => f.id === drop.id);
    await act(h, { type: "delete", clientId: "d2", id: own.id, for: "me" });
    await h2.next("removed", (f) => f.id === own.id);

    // The rows stay; each delete wrote its id to `forgotten` and one `removed` entry, and no log entry.
    expect(await hostedRows(host.user.id)).toHaveLength(before);
    expect((await rows<{ id: string }>(host.user.id, "SELECT id FROM forgotten ORDER BY id")).map((r) => r.id)).toEqual(
      [drop.id, own.id].sort(),
    );
    expect((await changeRows(host.user.id)).map((r) => [r.kind, r.target, r.client_id, r.pos])).toEqual([
      ["removed", drop.id, "d1", null],
      ["removed", own.id, "d2", null],
    ]);

    // The host's views: history, the chat list (last message and unread), sync, search, message info.
    expect((await stub.history(chat, undefined, 50)).map((m) => m.id)).toEqual([keep.id]);
    expect((await stub.chats())[0]).toMatchObject({ chat, lastMessage: { id: keep.id }, unread: 1 });
    const frames = await replay(host.token);
    const replayed = frames.flatMap((f) => (typeof f !== "string" && f.type === "message" ? [f.message.id] : []));
    expect(replayed).toEqual([keep.id]);
    expect(frames.filter((f) => typeof f !== "string" && f.type === "removed")).toHaveLength(2);
    expect(await found(stub, "pelican")).toEqual([]); // the index's tail
    expect(await found(stub, "heron")).toEqual([keep.id]);
    expect((await stub.receiptsOf(chat, own.id)).ok).toBe(false);
    // Again, or any other action on it, is an unknown message, as a deleted row's is.
    expect(await act(h, { type: "delete", clientId: "d3", id: drop.id, for: "me" })).toMatchObject({
      code: "unknown_message",
    });
    expect(await act(h, { type: "react", clientId: "r1", id: drop.id, emoji: "👍" })).toMatchObject({
      code: "unknown_message",
    });

    // The guest's reads through the host still answer both.
    const log = value(await stub.hostedPull(g, "", 100));
    expect(log.entries.map((e) => e.id)).toEqual([keep.id, drop.id, own.id]);
    expect(value(await stub.hostedHistory(g, undefined, 50)).map((e) => e.id)).toEqual([keep.id, drop.id, own.id]);
    expect(value(await stub.hostedMessage(g, drop.id))?.message.text).toBe("dropped pelican");
    expect((await guestFinds(stub, g, "pelican")).sort()).toEqual([drop.id, own.id].sort());

    // A guest's retry of the hidden message answers the first answer and stores nothing.
    const rowsNow = await hostedRows(host.user.id);
    expect(await stub.appendFromGuest(g, guestMessage("drop", 9, { text: "dropped pelican" }))).toEqual({
      ok: true,
      value: drop,
    });
    expect(await hostedRows(host.user.id)).toEqual(rowsNow);

    // The guest replies to it: the reply quotes it (the host's device gets the reply, the quote with it).
    const reply = value(await stub.appendFromGuest(g, guestMessage("re", 3, { text: "re", replyTo: drop.id })));
    expect((await stub.history(chat, undefined, 50)).at(-1)).toMatchObject({
      id: reply.id,
      replyTo: { id: drop.id, excerpt: "dropped pelican" },
    });

    // The guest edits the hidden message: its log takes the entry, the host's devices see nothing of it.
    const edit = value(await stub.hostedChange(g, "e1", { action: "edit", id: drop.id, text: "edited pelican" }));
    expect(value(await stub.hostedMessage(g, drop.id))?.message.text).toBe("edited pelican");
    expect(edit.pos).toBe(5);
    h.send("ping"); // answered after anything the edit would have pushed
    await h.until((s) => s.frames.includes("pong"));
    expect(h.of("update").filter((f) => f.message.id === drop.id)).toEqual([]);
    expect((await replay(host.token)).filter((f) => typeof f !== "string" && f.type === "update")).toEqual([]);

    // Pushed into the index: still hidden from the host, still found by the guest.
    for (let i = 0; i < SEARCH_TAIL_SEQS + 2; i++) {
      await stub.appendFromGuest(g, guestMessage(`f${i}`, 10 + i, { text: `filler ${i}` }));
    }
    const upto = Number(
      (await rows<{ value: string }>(host.user.id, "SELECT value FROM meta WHERE key = 'fts_upto'"))[0]?.value,
    );
    expect(upto).toBeGreaterThan(rowsNow.at(-1)?.seq ?? Number.POSITIVE_INFINITY);
    expect(await found(stub, "pelican")).toEqual([]);
    expect((await guestFinds(stub, g, "pelican")).sort()).toEqual([drop.id, own.id].sort());
    closeAll(h, h2);
    await clearAlarms([], [host.user.id]);
  });

  it("the last row shown goes: the chat leaves the list, its row and hosted_from stay", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    const g = guest.user.id;
    const only = value(await stub.appendFromGuest(g, guestMessage("only", 1)));
    const h = await connect(host.token);
    await act(h, { type: "delete", clientId: "d1", id: only.id, for: "me" });
    expect(await stub.chats()).toEqual([]);
    expect(await stub.history(chat, undefined, 10)).toEqual([]);
    expect(await storedChats(host.user.id)).toEqual([
      { chat, last_id: only.id, unread: 0, hosted_from: "", next_pos: 2 },
    ]);
    expect(value(await stub.hostedHistory(g, undefined, 10)).map((e) => e.id)).toEqual([only.id]);
    // The next message takes the next position, and the chat is back in the list with it alone.
    const next = value(await stub.appendFromGuest(g, guestMessage("next", 2)));
    expect(next.pos).toBe(2);
    expect(await stub.chats()).toMatchObject([{ chat, lastMessage: { id: next.id }, unread: 1 }]);
    closeAll(h);
    await clearAlarms([], [host.user.id]);
  });

  it("the archive takes a hidden row with its mark: the host's archived history does not show it again", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push(value(await stub.appendFromGuest(guest.user.id, guestMessage(`m${i}`, i + 1))).id);
    }
    const h = await connect(host.token);
    await act(h, { type: "delete", clientId: "d1", id: ids[1] ?? "", for: "me" });
    await configureArchive(host.user.id, TINY);
    expect(await archiveAll(host.user.id)).toBe(2);
    const hot = (await rows<{ id: string }>(host.user.id, "SELECT id FROM messages ORDER BY id")).map((r) => r.id);
    expect(hot).toEqual([ids[10], ids[11]]); // the hidden row went too, marked (./hosted-archive-hidden.test.ts)
    expect((await historyPages(host.token, chat)).map((m) => m.id)).toEqual(ids.filter((_, i) => i !== 1));
    expect(value(await stub.hostedMessage(guest.user.id, ids[1] ?? ""))?.id).toBe(ids[1]);
    closeAll(h);
    await clearAlarms([], [host.user.id]);
  });

  it("a row from before hosting is deleted as today", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    const at = Date.now();
    const id = `${at.toString(36).padStart(9, "0")}0000${guest.user.id.slice(-16)}`;
    await stub.accept([{ kind: "message", id, chat, from: guest.user.id, text: "old way", ts: at }]);
    const hosted = value(await stub.appendFromGuest(guest.user.id, guestMessage("new", 1)));
    const h = await connect(host.token);
    await act(h, { type: "delete", clientId: "d1", id, for: "me" });
    expect((await hostedRows(host.user.id)).map((r) => r.id)).toEqual([hosted.id]);
    expect((await rows<{ id: string }>(host.user.id, "SELECT id FROM forgotten")).map((r) => r.id)).toEqual([id]);
    closeAll(h);
    await clearAlarms([], [host.user.id]);
  });
});

describe("delete for me in a hosted chat, crashes", { timeout: 60_000 }, () => {
  it("the host dies after the commit and before the answer: a retry answers the first answer, once", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    const drop = value(await stub.appendFromGuest(guest.user.id, guestMessage("drop", 1)));
    await runInDurableObject(stub, async (instance, state) => {
      const parts = partsOf(instance);
      await parts.writes.run(() => parts.mailbox.changes.forget(drop.id, parts.ids.next().id, "d1"));
      await state.storage.sync(); // committed...
      state.abort("test crash: after the commit, before the answer"); // ...never answered
    }).catch(() => undefined);
    const h = await connect(host.token);
    expect(await act(h, { type: "delete", clientId: "d1", id: drop.id, for: "me" })).toMatchObject({
      type: "removed",
      id: drop.id,
      clientId: "d1",
    });
    expect((await changeRows(host.user.id)).map((r) => r.client_id)).toEqual(["d1"]);
    expect(await rows(host.user.id, "SELECT id FROM forgotten")).toEqual([{ id: drop.id }]);
    expect((await hostedRows(host.user.id)).map((r) => r.id)).toEqual([drop.id]);
    expect(await userStub(host.user.id).history(chat as ChatId, undefined, 10)).toEqual([]);
    expect(value(await userStub(host.user.id).hostedMessage(guest.user.id, drop.id))?.id).toBe(drop.id);
    closeAll(h);
    await clearAlarms([], [host.user.id]);
  });

  it("the host dies before the commit: nothing is hidden, the retry hides it once", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    const drop = value(await stub.appendFromGuest(guest.user.id, guestMessage("drop", 1)));
    await runInDurableObject(stub, (instance, state) => {
      const parts = partsOf(instance);
      void parts.writes.run(() => parts.mailbox.changes.forget(drop.id, parts.ids.next().id, "d1"));
      state.abort("test crash: before the commit");
    }).catch(() => undefined);
    expect(await rows(host.user.id, "SELECT id FROM forgotten")).toEqual([]);
    expect(await changeRows(host.user.id)).toEqual([]);
    expect((await userStub(host.user.id).history(chat as ChatId, undefined, 10)).map((m) => m.id)).toEqual([drop.id]);
    const h = await connect(host.token);
    await act(h, { type: "delete", clientId: "d1", id: drop.id, for: "me" });
    expect((await changeRows(host.user.id)).map((r) => r.client_id)).toEqual(["d1"]);
    expect(await rows(host.user.id, "SELECT id FROM forgotten")).toEqual([{ id: drop.id }]);
    expect((await storedChats(host.user.id)).map((c) => [c.last_id, c.unread, c.hosted_from])).toEqual([
      [drop.id, 0, ""],
    ]);
    closeAll(h);
    await clearAlarms([], [host.user.id]);
  });
});
