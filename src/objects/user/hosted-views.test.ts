// What a guest reads of a chat its peer hosts (./hosted-views.ts): the chat
// list, history, search and message info show each message once, those
// before hosting from the guest's mailbox, those after it from the host's log.
// The chat: both sides sent before hosting (copies), then the guest's send is
// switched on and it sends through the host, the host's message between.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChatSummary, Message } from "../../shared/protocol";
import { api, connect, register, userStub } from "../../test/helpers";
import { guestRuns, hostedRows } from "../../test/hosted";
import { codeOf, getJson, hostedChat, hostReadsFail, idsOf } from "../../test/hosted-chat";
import { WriteMeter } from "../../test/write-meter";

describe("a guest's reads of a hosted chat", () => {
  it("the setup: three before hosting in both mailboxes, three after it in the host's log only", async () => {
    const { host, guest, chat, ids, end } = await hostedChat();
    const atHost = (await hostedRows(host.user.id)).sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(atHost.map((r) => [r.id, r.pos])).toEqual(ids.map((id, i) => [id, i < 3 ? null : i - 2]));
    // The guest: no message after hosting is a row of its mailbox, its own or the host's (pushed as an entry).
    expect((await hostedRows(guest.user.id)).map((r) => r.id).sort()).toEqual(ids.slice(0, 3));
    expect((await guestRuns(guest.user.id)).map((r) => r.chat)).toEqual([chat]);
    await end();
  });

  it("the chat list shows the chat once: the newest message, the unread of both sides, its mute", async () => {
    const { host, guest, chat, ids, end } = await hostedChat();
    const list = await getJson<{ chats: ChatSummary[] }>("/api/chats", guest.token);
    const rows = list.body.chats.filter((c) => c.chat === chat);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.lastMessage).toMatchObject({ id: ids[5], text: "post guest gamma", from: guest.user.id });
    // The host's two messages, one before hosting and one after, neither read.
    expect(rows[0]?.unread).toBe(2);
    const muted = await api(`/api/chats/${chat}/mute`, {
      method: "PUT",
      token: guest.token,
      body: { until: "always" },
    });
    expect(muted.status).toBe(200);
    const again = (await getJson<{ chats: ChatSummary[] }>("/api/chats", guest.token)).body.chats;
    expect(again.filter((c) => c.chat === chat)).toEqual([{ ...rows[0], mutedUntil: "always" }]);
    // The host's list is today's: its one row.
    const hostList = (await getJson<{ chats: ChatSummary[] }>("/api/chats", host.token)).body.chats;
    expect(hostList.map((c) => [c.chat, c.lastMessage?.id])).toEqual([[`u:${guest.user.id}`, ids[5]]]);
    await end();
  });

  it("history: before the floor from the mailbox, after it from the host's log, at the seqs a sync shows; pages cross the floor", async () => {
    const { host, guest, chat, ids, end } = await hostedChat();
    // The log as the host answers it: the three messages after hosting began.
    const pulled = await userStub(host.user.id).hostedPull(guest.user.id, "", 100);
    if (!pulled.ok) throw new Error(pulled.error.code);
    expect(pulled.value.entries.map((e) => e.id)).toEqual(ids.slice(3));
    // The mailbox's copy of the host's message after the floor is not what is shown: the log's is.
    await runInDurableObject(userStub(guest.user.id), (_i, state) => {
      state.storage.sql.exec("UPDATE messages SET text = 'stale copy' WHERE id = ?", ids[4]);
    });
    const all = await getJson<{ messages: Message[] }>(`/api/chats/${chat}/messages?limit=50`, guest.token);
    expect(all.status).toBe(200);
    const messages = all.body.messages;
    expect(idsOf(messages)).toEqual(ids);
    expect(messages[4]?.text).toBe("post host beta");
    // Each at the seq a fresh device's sync gives it.
    const fresh = await connect(guest.token);
    await fresh.speak();
    const synced = new Map(fresh.of("message").map((f) => [f.message.id, f.message.seq]));
    for (const m of messages) expect([m.id, m.seq]).toEqual([m.id, synced.get(m.id)]);
    // Pages of two, newest first, with `before`: the log's, one across the floor, the mailbox's, none.
    const pages: string[][] = [];
    let before: string | undefined;
    for (;;) {
      const q = before === undefined ? "limit=2" : `limit=2&before=${before}`;
      const page = (await getJson<{ messages: Message[] }>(`/api/chats/${chat}/messages?${q}`, guest.token)).body;
      pages.push(idsOf(page.messages));
      if (page.messages.length === 0) break;
      before = page.messages[0]?.id;
    }
    expect(pages).toEqual([ids.slice(4, 6), ids.slice(2, 4), ids.slice(0, 2), []]);
    // A page that the log fills by itself asks nothing of the mailbox; one that it cannot, fills from it.
    const three = (await getJson<{ messages: Message[] }>(`/api/chats/${chat}/messages?limit=3`, guest.token)).body;
    expect(idsOf(three.messages)).toEqual(ids.slice(3));
    const four = (await getJson<{ messages: Message[] }>(`/api/chats/${chat}/messages?limit=4`, guest.token)).body;
    expect(idsOf(four.messages)).toEqual(ids.slice(2));
    // The host's history of the chat is today's: its mailbox.
    const hostSide = (
      await getJson<{ messages: Message[] }>(`/api/chats/u:${guest.user.id}/messages?limit=50`, host.token)
    ).body;
    expect(idsOf(hostSide.messages)).toEqual(ids);
    await end(fresh);
  });

  it("search: the log's hits of the chat with the mailbox's, once each, at the guest's seqs; a hosted id pages on", async () => {
    const { guest, chat, ids, g, end } = await hostedChat();
    await runInDurableObject(userStub(guest.user.id), (_i, state) => {
      state.storage.sql.exec("UPDATE messages SET text = 'stale copy beta' WHERE id = ?", ids[4]);
    });
    const search = (q: string) => getJson<{ messages: Message[] }>(`/api/search?q=${q}`, guest.token);
    const alpha = (await search("alpha")).body.messages;
    expect(alpha.map((m) => [m.id, m.chat, m.text])).toEqual([[ids[3], chat, "post guest alpha"]]);
    // Every message of the chat, newest first, the host's message after the floor once and as the log has it.
    const posts = (await search("post")).body.messages;
    expect(posts.map((m) => [m.id, m.text])).toEqual([
      [ids[5], "post guest gamma"],
      [ids[4], "post host beta"],
      [ids[3], "post guest alpha"],
    ]);
    // Across chats: another chat's hit, newer, comes first; `before` it pages into the hosted chat's.
    const other = await register();
    const x = await connect(other.token);
    await x.speak();
    x.send({ type: "send", clientId: "x1", chat: `u:${guest.user.id}`, text: "post elsewhere" });
    const elsewhere = await x.next("sent", (f) => f.clientId === "x1");
    await g.next("message", (f) => f.message.id === elsewhere.id);
    const across = (await search("post&limit=2")).body.messages;
    expect(across.map((m) => [m.id, m.chat])).toEqual([
      [elsewhere.id, `u:${other.user.id}`],
      [ids[5], chat],
    ]);
    const on = (await search(`post&limit=2&before=${ids[5]}`)).body.messages;
    expect(idsOf(on)).toEqual([ids[4], ids[3]]);
    x.close();
    // The stale copy above the floor is not a hit.
    expect((await search("stale")).body.messages).toEqual([]);
    const history = (await getJson<{ messages: Message[] }>(`/api/chats/${chat}/messages`, guest.token)).body;
    const seqs = new Map(history.messages.map((m) => [m.id, m.seq]));
    for (const m of posts) expect(m.seq).toBe(seqs.get(m.id));
    // Across the floor, paged: `before` a hosted message of the guest's (not in its mailbox) is accepted.
    const words = (await search("guest&limit=2")).body.messages;
    expect(idsOf(words)).toEqual([ids[5], ids[3]]);
    const next = await search(`guest&limit=2&before=${ids[3]}`);
    expect(next.status).toBe(200);
    expect(idsOf(next.body.messages)).toEqual([ids[2], ids[0]]);
    await end();
  });

  it("message info of a hosted message: the guest's own from the log; the host's is not its to see; before the floor as today", async () => {
    const { guest, chat, ids, end } = await hostedChat();
    const info = (id: string) =>
      getJson<{ id: string; receipts: unknown[] }>(`/api/chats/${chat}/messages/${id}/receipts`, guest.token);
    const own = await info(ids[3] as string);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: ids[3], receipts: [{ deliveredAt: null, readAt: null }] });
    const hosts = await info(ids[4] as string);
    expect([hosts.status, codeOf(hosts.body)]).toEqual([403, "not_your_message"]);
    const before = await info(ids[0] as string);
    expect(before.status).toBe(200);
    await end();
  });

  it("a user who is not the chat's guest reads nothing of it: empty history, no hits, unknown_message; nothing stored", async () => {
    const { host, guest, chat, ids, end } = await hostedChat();
    const other = await register();
    const history = await getJson<{ messages: Message[] }>(`/api/chats/${chat}/messages`, other.token);
    expect([history.status, history.body.messages]).toEqual([200, []]);
    const search = await getJson<{ messages: Message[] }>("/api/search?q=post", other.token);
    expect([search.status, search.body.messages]).toEqual([200, []]);
    const info = await getJson<unknown>(`/api/chats/${chat}/messages/${ids[3]}/receipts`, other.token);
    expect([info.status, codeOf(info.body)]).toEqual([404, "unknown_message"]);
    const list = await getJson<{ chats: ChatSummary[] }>("/api/chats", other.token);
    expect(list.body.chats).toEqual([]);
    // The host's log refuses it as well, and it keeps no row of the chat.
    const pulled = await userStub(host.user.id).hostedHistory(other.user.id, undefined, 50);
    expect(pulled.ok ? "ok" : pulled.error.code).toBe("not_found");
    expect(await guestRuns(other.user.id)).toEqual([]);
    expect(await hostedRows(other.user.id)).toEqual([]);
    expect(guest.user.id).not.toBe(other.user.id);
    await end();
  });

  it("a host that cannot be reached: history, search and message info answer `unavailable`, the list what it has; nothing written", async () => {
    const { host, guest, chat, ids, end } = await hostedChat();
    const runs = await guestRuns(guest.user.id);
    const rows = await hostedRows(guest.user.id);
    const undo = await hostReadsFail(guest.user.id, host.user.id);
    const history = await getJson<unknown>(`/api/chats/${chat}/messages`, guest.token);
    expect([history.status, codeOf(history.body)]).toEqual([503, "unavailable"]);
    const search = await getJson<unknown>("/api/search?q=post", guest.token);
    expect([search.status, codeOf(search.body)]).toEqual([503, "unavailable"]);
    const info = await getJson<unknown>(`/api/chats/${chat}/messages/${ids[3]}/receipts`, guest.token);
    expect([info.status, codeOf(info.body)]).toEqual([503, "unavailable"]);
    const list = (await getJson<{ chats: ChatSummary[] }>("/api/chats", guest.token)).body.chats;
    expect(list.map((c) => [c.chat, c.lastMessage?.id])).toEqual([[chat, ids[5]]]);
    expect(await guestRuns(guest.user.id)).toEqual(runs);
    expect(await hostedRows(guest.user.id)).toEqual(rows);
    // Reached again: the same reads answer.
    await undo();
    const again = (await getJson<{ messages: Message[] }>(`/api/chats/${chat}/messages`, guest.token)).body;
    expect(idsOf(again.messages)).toEqual(ids);
    await end();
  });

  it("the reads write nothing at the guest or the host, once a pull has caught the chat up (rows measured)", async () => {
    const { guest, chat, ids, end } = await hostedChat();
    expect((await getJson<unknown>("/api/chats", guest.token)).status).toBe(200);
    const meter = new WriteMeter();
    await meter.start(userStub(guest.user.id));
    meter.take();
    const reads = [
      "/api/chats",
      `/api/chats/${chat}/messages?limit=2`,
      `/api/chats/${chat}/messages?limit=2&before=${ids[4]}`,
      "/api/search?q=post",
      `/api/chats/${chat}/messages/${ids[3]}/receipts`,
    ];
    for (const path of reads) expect((await getJson<unknown>(path, guest.token)).status).toBe(200);
    const written = meter.takeDetailed();
    console.log(`hosted views: rows written by ${reads.length} reads of a hosted chat, both objects: ${written.total}`);
    expect(written.byStatement).toEqual([]);
    meter.stop();
    await end();
  });
});
