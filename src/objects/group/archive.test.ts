// The group log's archive (docs/archive.md): old pages go to R2 from the
// alarm and leave SQLite, and everything a member reads reaches them without
// knowing: history pages, search, a single message and its receipts, a reply
// quoting one, a sync from the start. Changes aimed at an archived message
// are refused with `message_archived`.

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Message } from "../../shared/protocol";
import { act } from "../../test/actions";
import { archiveAll, configureArchive, keysOf, post, rowsOf, TINY } from "../../test/archive";
import { clearAlarms, groupStub, settle, team } from "../../test/groups";
import { api, connect, register } from "../../test/helpers";
import { fetchWith } from "../../test/with-env";
import type { GroupObject } from "../group-object";
import type { FanOut } from "./fanout";
import type { GroupParts } from "./parts";

/** Every message of a chat as `token` pages through its history, `limit` at a time, oldest first. */
async function wholeHistory(token: string, chat: string, limit = 4): Promise<Message[]> {
  const all: Message[] = [];
  let before: string | undefined;
  for (;;) {
    const query = new URLSearchParams({ limit: String(limit), ...(before ? { before } : {}) });
    const res = await api(`/api/chats/${chat}/messages?${query}`, { token });
    expect(res.status).toBe(200);
    const { messages } = (await res.json()) as { messages: Message[] };
    all.unshift(...messages);
    if (messages.length < limit) return all;
    before = messages[0]?.id;
  }
}

describe("group log archive", { timeout: 60_000 }, () => {
  it("pages go to R2 from the alarm, and every read reaches them", async () => {
    const { admin, rest, group, chat } = await team(2);
    const bob = rest[0] as (typeof rest)[0];
    const texts = Array.from({ length: 22 }, (_, i) => `note ${i}${i === 3 ? " needle" : ""}`);
    const ids = await post(group.id, admin.user.id, texts);
    await settle(group.id);
    await configureArchive(group.id, { ...TINY, stepGapMs: 10 });
    const stub = groupStub(group.id);
    const total = (await stub.stats()).log;
    // One step by hand (as a post would arm it), then the alarm's chain does the rest.
    expect(await stub.archiveStep()).toBe("written");
    const pages = Math.floor((total - 1) / 5);
    for (let i = 0; i < 50 && (await stub.stats()).archived < pages; i++) await runDurableObjectAlarm(stub);
    const stats = await stub.stats();
    expect(stats.archived).toBe(pages);
    expect(stats.log).toBe(total - pages * 5);
    expect(await keysOf(group.id)).toHaveLength(pages);
    // Operators see it: GET /api/admin/groups/:id/stats.
    const settings = { ADMIN_USER_IDS: admin.user.id };
    const seen = await fetchWith(settings, `/api/admin/groups/${group.id}/stats`, { token: admin.token });
    expect(await seen.json()).toMatchObject({ groupId: group.id, archived: pages, log: total - pages * 5 });
    const unknown = await fetchWith(settings, "/api/admin/groups/0000000000000000/stats", { token: admin.token });
    expect(unknown.status).toBe(404);
    // Nothing archived is left in SQLite: its rows and its search entries are gone.
    const [hot] = await rowsOf<{ first: number }>(group.id, "SELECT min(pos) AS first FROM log");
    expect(hot?.first).toBe(pages * 5 + 1);

    // History, paged across the archive: every message once, in order.
    for (const user of [admin, bob]) {
      const history = (await wholeHistory(user.token, chat)).filter((m) => !m.system);
      expect(history.map((m) => m.text)).toEqual(texts);
      expect(new Set(history.map((m) => m.id)).size).toBe(texts.length);
    }
    // Search finds an archived message.
    const found = await api("/api/search?q=needle", { token: bob.token });
    expect(((await found.json()) as { messages: Message[] }).messages.map((m) => m.id)).toEqual([ids[3]]);
    // Message info of an archived message.
    const info = await api(`/api/chats/${chat}/messages/${ids[0]}/receipts`, { token: admin.token });
    expect(info.status).toBe(200);
    expect(((await info.json()) as { receipts: { user: string }[] }).receipts.map((r) => r.user)).toEqual([
      bob.user.id,
    ]);
    // A reply quoting an archived message, live to the other member.
    const a = await connect(admin.token);
    const b = await connect(bob.token);
    const replied = await act(a, { type: "send", clientId: "re", chat, text: "answer", replyTo: ids[1] });
    expect(replied.type).toBe("sent");
    const live = await b.next("message", (f) => f.message.text === "answer");
    expect(live.message.replyTo).toMatchObject({ id: ids[1], excerpt: "note 1" });
    // A change aimed at an archived message is refused, and changes nothing.
    const refused = await act(a, { type: "delete", clientId: "del", id: ids[2], for: "everyone" });
    expect(refused).toMatchObject({ type: "error", code: "message_archived" });
    expect((await wholeHistory(bob.token, chat)).find((m) => m.id === ids[2])?.text).toBe("note 2");
    // A reaction reaches it: reactions live beside the log, keyed by position, not in the page.
    const reacted = await act(a, { type: "react", clientId: "r", id: ids[2], emoji: "👍" });
    expect(reacted).toMatchObject({ type: "update", message: { id: ids[2], reactions: [{ emoji: "👍" }] } });
    await settle(group.id);
    const withReaction = (await wholeHistory(bob.token, chat)).find((m) => m.id === ids[2]);
    expect(withReaction?.reactions).toEqual([{ from: admin.user.id, emoji: "👍" }]);
    // A new device syncing from the start gets everything, the archived part included.
    const fresh = await connect(bob.token);
    fresh.send({ type: "sync", after: 0 });
    await fresh.next("synced");
    const synced = fresh
      .of("message")
      .map((f) => f.message)
      .filter((m) => m.chat === chat && !m.system);
    expect(synced.map((m) => m.text)).toEqual([...texts, "answer"]);
    for (const s of [a, b, fresh]) s.close();
    await clearAlarms([group.id], [admin.user.id, bob.user.id]);
  });

  it("waits for every member's object before archiving, and never takes the newest entry", async () => {
    const { admin, rest, group } = await team(2);
    const bob = rest[0] as (typeof rest)[0];
    await configureArchive(group.id, TINY);
    await settle(group.id);
    const stub = groupStub(group.id);
    // Fewer entries than a page beside the newest one: nothing to do.
    await post(group.id, admin.user.id, ["one", "two"]);
    await settle(group.id);
    expect((await stub.stats()).log).toBeLessThanOrEqual(5);
    expect(await stub.archiveStep()).toBe(null);
    // Bob's object does not answer: his cursor stays behind, and so does the archive.
    let real: FanOut["deliver"] | null = null;
    await runInDurableObject(stub, (instance: GroupObject) => {
      const fanout = instance.fanout as FanOut;
      const deliver = fanout.deliver;
      real = deliver;
      fanout.deliver = (target, entries, after) =>
        target === bob.user.id ? Promise.reject(new Error("down")) : deliver(target, entries, after);
    });
    await post(group.id, admin.user.id, ["three", "four", "five", "six", "seven"]);
    await new Promise((r) => setTimeout(r, 200));
    expect(await stub.archiveStep()).toBe(null);
    expect((await stub.stats()).archived).toBe(0);
    // Bob's object back, its backoff over: delivered, then archived, all but the newest page's worth.
    await runInDurableObject(stub, (instance: GroupObject) => {
      (instance.fanout as FanOut).deliver = real as unknown as FanOut["deliver"];
    });
    await rowsOf(group.id, "UPDATE cursors SET next_at = 0");
    await runDurableObjectAlarm(stub);
    await settle(group.id);
    await archiveAll(group.id); // (or the alarm, which the posts asked for, got there first)
    expect((await stub.stats()).archived).toBe(1);
    const [newest] = await rowsOf<{ n: number }>(group.id, "SELECT count(*) AS n FROM log");
    expect(newest?.n).toBeGreaterThan(0);
    await clearAlarms([group.id], [admin.user.id, bob.user.id]);
  });

  it("an edit of a recent message still works beside archived pages", async () => {
    const { admin, rest, group, chat } = await team(2);
    const bob = rest[0] as (typeof rest)[0];
    await post(
      group.id,
      admin.user.id,
      Array.from({ length: 12 }, (_, i) => `old ${i}`),
    );
    await settle(group.id);
    await configureArchive(group.id, TINY);
    expect(await archiveAll(group.id)).toBeGreaterThan(0);
    const a = await connect(admin.token);
    const sent = await act(a, { type: "send", clientId: "new", chat, text: "fresh" });
    if (sent.type !== "sent") throw new Error(JSON.stringify(sent));
    const edited = await act(a, { type: "edit", clientId: "ed", id: sent.id, text: "fresher" });
    expect(edited.type).toBe("update");
    await settle(group.id);
    const history = await wholeHistory(bob.token, chat);
    expect(history.at(-1)?.text).toBe("fresher");
    expect(history.filter((m) => !m.system)).toHaveLength(13);
    a.close();
    await clearAlarms([group.id], [admin.user.id, bob.user.id]);
  });

  it("a member who joins after pages were archived reads none of them, and never loads them", async () => {
    const { admin, rest, group, chat } = await team(2);
    const bob = rest[0] as (typeof rest)[0];
    await post(
      group.id,
      admin.user.id,
      Array.from({ length: 12 }, (_, i) => `before ${i}`),
    );
    await settle(group.id);
    await configureArchive(group.id, TINY);
    await archiveAll(group.id);
    expect((await groupStub(group.id).stats()).archived).toBe(2);
    const carol = await register();
    const added = await api(`/api/groups/${group.id}/members`, {
      method: "POST",
      token: admin.token,
      body: { userId: carol.user.id },
    });
    expect(added.status).toBe(200);
    await settle(group.id);
    const device = await connect(carol.token);
    device.send({ type: "sync", after: 0 });
    await device.next("synced");
    const seen = device
      .of("message")
      .map((f) => f.message)
      .filter((m) => m.chat === chat);
    expect(seen.filter((m) => !m.system)).toEqual([]);
    expect(await wholeHistory(carol.token, chat)).toEqual(seen);
    const found = await api("/api/search?q=before", { token: carol.token });
    expect(((await found.json()) as { messages: Message[] }).messages).toEqual([]);
    // Nothing of the archive was read for her: no page is in the group's memory.
    const cached = await runInDurableObject(groupStub(group.id), (instance: GroupObject) => {
      return (instance as unknown as { parts: GroupParts }).parts.archive.shelf.cached;
    });
    expect(cached).toBe(0);
    device.close();
    await clearAlarms([group.id], [admin.user.id, bob.user.id, carol.user.id]);
  });
});
