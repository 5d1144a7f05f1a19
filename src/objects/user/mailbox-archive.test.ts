// The mailbox's archive (docs/archive.md, "The mailbox"): old pages of a
// user's one-to-one messages go to R2 and leave SQLite, and everything the
// user reads still reaches them: history pages, sync from an old cursor,
// search, message info, a reply quoting one. Changes aimed at them are
// refused with `message_archived`, and change nothing.

import { describe, expect, it } from "vitest";
import type { Message, ServerFrame } from "../../shared/protocol";
import { act, closeAll, rows } from "../../test/actions";
import { keepAlive } from "../../test/group-faults";
import { clearAlarms } from "../../test/groups";
import { api, connect, register, userStub } from "../../test/helpers";
import { archiveAll, chatted, configureArchive, historyPages, keysOf, sendAll } from "../../test/mailbox-archive";

describe("mailbox archive", { timeout: 60_000 }, () => {
  it("old pages go to R2 and leave SQLite; history and sync read through them", async () => {
    const { alice, bob, a, b, toBob, before } = await chatted();
    const sqlBefore = (await userStub(alice.user.id).stats()).messages;
    expect(await archiveAll(alice.user.id)).toBe(2);
    const stats = await userStub(alice.user.id).stats();
    expect(stats.archived).toBe(2);
    expect(stats.archivedMessages).toBe(10);
    expect(stats.messages).toBe(sqlBefore - 10);
    expect(await keysOf(alice.user.id)).toHaveLength(2);
    const pages = await rows<{ state: string }>(alice.user.id, "SELECT state FROM archive_pages");
    expect(pages.map((p) => p.state)).toEqual(["done", "done"]);
    // History: the same messages, whole and paged back three at a time across pages.
    expect(await historyPages(alice.token, toBob)).toEqual(before);
    expect(await historyPages(alice.token, toBob, 3)).toEqual(before);
    // Sync from 0 and from a cursor inside the archive, one frame each and batched.
    const bySeq = [...before].sort((x, y) => x.seq - y.seq);
    const all = await replayFrom(alice.token, 0, false);
    expect(all.map((m) => m.id)).toEqual(bySeq.map((m) => m.id));
    expect(await replayFrom(alice.token, 0, true)).toEqual(all);
    const mid = bySeq[6]?.seq ?? 0;
    expect((await replayFrom(alice.token, mid, true)).map((m) => m.id)).toEqual(
      bySeq.filter((m) => m.seq > mid).map((m) => m.id),
    );
    closeAll(a, b);
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });

  it("a chat its user hosts (docs/one-copy-per-chat.md): its rows with positions go in the same pages", async () => {
    const { alice, bob, a, b, toBob, before } = await chatted(true);
    const hostedRows = async () =>
      (await rows<{ n: number }>(alice.user.id, "SELECT count(*) AS n FROM messages WHERE pos IS NOT NULL"))[0]?.n;
    expect(await hostedRows()).toBe(8); // Bob's two and Alice's six after them
    expect(await archiveAll(alice.user.id)).toBe(2);
    // Seqs 1-10 went (Alice's six copies, Bob's two, two of Alice's hosted), the last four stay.
    expect((await userStub(alice.user.id).stats()).archivedMessages).toBe(10);
    expect(await hostedRows()).toBe(4);
    expect(await historyPages(alice.token, toBob, 3)).toEqual(before);
    const bySeq = [...before].sort((x, y) => x.seq - y.seq);
    expect((await replayFrom(alice.token, 0, true)).map((m) => m.id)).toEqual(bySeq.map((m) => m.id));
    closeAll(a, b);
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });

  it("search, message info and a reply's quote reach archived messages", async () => {
    const { alice, bob, a, b, toBob, before } = await chatted();
    await archiveAll(alice.user.id);
    const archived = before[3] as Message; // "hello number 3 turnip zebra", in the first page
    expect(await rows(alice.user.id, "SELECT 1 FROM messages WHERE id = ?", archived.id)).toEqual([]);
    // Search: the index no longer has it; the scan of archived pages does, and paging goes on from it.
    const hits = await search(alice.token, "zebra");
    expect(hits.map((m) => m.id)).toEqual([archived.id]);
    const turnips = await search(alice.token, "turnip", 5);
    expect(turnips).toHaveLength(5);
    const rest = await search(alice.token, "turnip", 50, turnips.at(-1)?.id);
    expect([...turnips, ...rest].map((m) => m.text).sort()).toEqual(
      before
        .filter((m) => m.text.includes("turnip"))
        .map((m) => m.text)
        .sort(),
    );
    // Message info of an archived own message.
    const info = await api(`/api/chats/${toBob}/messages/${archived.id}/receipts`, { token: alice.token });
    expect(info.status).toBe(200);
    expect(((await info.json()) as { id: string }).id).toBe(archived.id);
    // A reply quoting it: sent, with the archived text as its quote, and Bob gets it.
    const reply = await act(a, { type: "send", clientId: "reply-1", chat: toBob, text: "re", replyTo: archived.id });
    expect(reply.type).toBe("sent");
    const stored = (await historyPages(alice.token, toBob)).at(-1);
    expect(stored?.replyTo).toEqual({ id: archived.id, from: alice.user.id, excerpt: archived.text });
    await b.next("message", (f) => f.message.text === "re");
    // Quoting an archived message in another chat (her own notes): refused, nothing stored there.
    const toSelf = `u:${alice.user.id}`;
    const wrong = await act(a, { type: "send", clientId: "reply-2", chat: toSelf, text: "x", replyTo: archived.id });
    expect(wrong).toMatchObject({ type: "error", code: "invalid_reply", clientId: "reply-2" });
    expect(await historyPages(alice.token, toSelf)).toEqual([]);
    // A forward of it: its text, one hop.
    const forward = await act(a, {
      type: "send",
      clientId: "fwd-1",
      chat: toSelf,
      text: "",
      forward: { chat: toBob, id: archived.id },
    });
    expect(forward.type).toBe("sent");
    expect((await historyPages(alice.token, toSelf)).map((m) => [m.text, m.forwarded])).toEqual([[archived.text, 1]]);
    closeAll(a, b);
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });

  it("edits, deletes and reactions aimed at archived messages answer message_archived and change nothing", async () => {
    const { alice, bob, a, b, toBob, before } = await chatted();
    await archiveAll(alice.user.id);
    const target = before[1] as Message;
    const changesBefore = await rows(alice.user.id, "SELECT * FROM changes");
    const frames: { clientId: string; [key: string]: unknown }[] = [
      { type: "edit", clientId: "e1", id: target.id, text: "changed" },
      { type: "delete", clientId: "d1", id: target.id, for: "everyone" },
      { type: "delete", clientId: "d2", id: target.id, for: "me" },
      { type: "react", clientId: "r1", id: target.id, emoji: "👍" },
    ];
    for (const frame of frames) {
      const answer = await act(a, frame);
      expect(answer).toMatchObject({ type: "error", code: "message_archived", clientId: frame.clientId });
    }
    // An id that is nowhere is still unknown, one inside an archived page's range of ids too.
    const unknown = await act(a, { type: "edit", clientId: "e2", id: `z${target.id.slice(1)}`, text: "x" });
    expect(unknown).toMatchObject({ type: "error", code: "unknown_message" });
    const inRange = `${target.id.slice(0, 12)}${target.id.at(12) === "0" ? "1" : "0"}${target.id.slice(13)}`;
    expect(inRange).not.toBe(target.id);
    const unknownInRange = await act(a, { type: "react", clientId: "r2", id: inRange, emoji: "👍" });
    expect(unknownInRange).toMatchObject({ type: "error", code: "unknown_message" });
    expect(await rows(alice.user.id, "SELECT * FROM changes")).toEqual(changesBefore);
    expect(await rows(alice.user.id, "SELECT * FROM reactions")).toEqual([]);
    expect(await historyPages(alice.token, toBob)).toEqual(before);
    closeAll(a, b);
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });

  it("nothing goes while a page is not full, not old enough, or holds a message its peer has not confirmed", async () => {
    const { alice, bob, a, b } = await chatted();
    await configureArchive(alice.user.id, { hotMs: 3_600_000 });
    expect(await archiveAll(alice.user.id)).toBe(0);
    await configureArchive(alice.user.id, { hotMs: 1, pageEntries: 20 });
    expect(await archiveAll(alice.user.id)).toBe(0);
    expect(await keysOf(alice.user.id)).toEqual([]);
    expect(await rows(alice.user.id, "SELECT * FROM archive_pages")).toEqual([]);
    // A peer that has not confirmed: Alice's own messages are owed again as stored (Bob's object never took them).
    // The chat list writes the rows waiting in memory first (looking for a page writes nothing), so the edit below stands.
    await userStub(alice.user.id).chats();
    await rows(alice.user.id, "UPDATE chats SET handed = '' WHERE chat = ?", `u:${bob.user.id}`);
    await configureArchive(alice.user.id, { pageEntries: 5 });
    expect(await archiveAll(alice.user.id)).toBe(0);
    expect(await rows(alice.user.id, "SELECT * FROM archive_pages")).toEqual([]);
    // Confirmed again: the pages go.
    await rows(alice.user.id, "UPDATE chats SET handed = last_own WHERE chat = ?", `u:${bob.user.id}`);
    expect(await archiveAll(alice.user.id)).toBe(2);
    closeAll(a, b);
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });
});

describe("mailbox archive: looking for a page", { timeout: 60_000 }, () => {
  it("writes nothing, and reads the chat rows waiting in memory as they are: a chat's newest stays", async () => {
    const { alice, bob, a, b, toBob, ids } = await chatted();
    const carol = await register();
    const c = await connect(carol.token);
    const stop = keepAlive([a]); // Alice's last device leaving would write the rows waiting
    const toCarol = `u:${carol.user.id}`;
    await sendAll(a, toCarol, ["hi carol"]); // a new chat's row: every row waiting is written with it
    // Nothing due, and no alarm from now on (it would write the rows waiting): only the looks below could.
    await configureArchive(alice.user.id, { hotMs: 3_600_000 });
    await clearAlarms([], [alice.user.id]);
    const [x] = await sendAll(a, toBob, ["x"]);
    const [y] = await sendAll(a, toCarol, ["y"]);
    await b.next("message", (f) => f.message.id === x);
    await c.next("message", (f) => f.message.id === y);
    const stored = () => rows<{ last_id: string }>(alice.user.id, "SELECT last_id FROM chats ORDER BY chat");
    const before = await stored();
    const newest = ids.at(-1) ?? "";
    expect(before.map((r) => r.last_id)).toContain(newest); // Bob's chat row as stored still names the one before x
    expect(await archiveAll(alice.user.id)).toBe(0);
    expect(await stored()).toEqual(before);
    // 17 rows, y the newest; kept: x and y (the chats' newest in memory). 15 rows, 3 pages: the one before x goes, x stays.
    await configureArchive(alice.user.id, { hotMs: 1 });
    expect(await archiveAll(alice.user.id)).toBe(3);
    expect(await stored()).toEqual(before);
    const left = await rows<{ id: string }>(alice.user.id, "SELECT id FROM messages ORDER BY seq");
    expect(left.map((r) => r.id)).toEqual([x, y]);
    stop();
    closeAll(a, b, c);
    await clearAlarms([], [alice.user.id, bob.user.id, carol.user.id]);
  });
});

async function replayFrom(token: string, after: number, batch: boolean): Promise<Message[]> {
  const socket = await connect(token);
  socket.send({ type: "sync", after, batch });
  await socket.next("synced", undefined, 10_000);
  socket.close();
  const frames = socket.frames.flatMap((f): ServerFrame[] =>
    typeof f === "string" ? [] : f.type === "replay" ? (f.frames as ServerFrame[]) : [f],
  );
  return frames.flatMap((f) => (f.type === "message" ? [f.message] : []));
}

async function search(token: string, q: string, limit = 20, before?: string): Promise<Message[]> {
  const res = await api(`/api/search?q=${encodeURIComponent(q)}&limit=${limit}${before ? `&before=${before}` : ""}`, {
    token,
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: Message[] }).messages;
}
