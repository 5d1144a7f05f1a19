// Schema steps group 3 and user 8 (issue 16: a group message stored once, in
// its group's log) on objects written by the code before them: the group's
// log without positions, and a member's mailbox with its own copy of every
// group message. Opened by today's code, the member finds every message with
// the seq it had, its receipts and message info, its unread count and its
// words; what comes after arrives once, above every older seq.

import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { nextMessageId, randomId } from "../shared/ids";
import type { Message } from "../shared/protocol";
import { clearAlarms, groupStub, settle } from "../test/groups";
import { connect, register, userStub } from "../test/helpers";
import { wipe } from "../test/sqlite";
import { GROUP_SCHEMA } from "./group/schema";
import { migrate } from "./storage/schema";
import { packCounters } from "./user/counters";
import { USER_SCHEMA } from "./user/schema";

describe("a group written before it was stored once", () => {
  it("keeps every message, seq, receipt, message info, unread count and word; new ones arrive once, above", async () => {
    const alice = await register();
    const bob = await register();
    const groupId = randomId();
    const chat = `g:${groupId}` as const;
    const t0 = Date.now() - 60_000;
    const ids = await runInDurableObject(groupStub(groupId), (_instance, state) => {
      const sql = state.storage.sql;
      expect(migrate(state.storage, GROUP_SCHEMA.slice(0, 2))).toBe(2);
      const created = nextMessageId(t0, { ts: 0, seq: 0 }, groupId);
      const hello = nextMessageId(t0 + 10, created.clock, groupId);
      const reply = nextMessageId(t0 + 20, hello.clock, groupId);
      sql.exec("INSERT INTO meta (key, value) VALUES ('name', 'old team'), ('created_at', ?)", String(t0));
      sql.exec("INSERT INTO meta (key, value) VALUES ('id_ts', ?), ('id_seq', ?)", reply.clock.ts, reply.clock.seq);
      const log = "INSERT INTO log (id, sender, text, ts, client_id, system) VALUES (?, ?, ?, ?, ?, ?)";
      sql.exec(
        log,
        created.id,
        alice.user.id,
        "old team",
        t0,
        null,
        JSON.stringify({ event: "created", user: alice.user.id }),
      );
      sql.exec(log, hello.id, alice.user.id, "hello walrus", t0 + 10, "c1", null);
      sql.exec(log, reply.id, bob.user.id, "hi alice", t0 + 20, "b1", null);
      const member = "INSERT INTO members (user_id, role, since, joined_at) VALUES (?, ?, ?, ?)";
      sql.exec(member, alice.user.id, "admin", created.id, t0);
      sql.exec(member, bob.user.id, "member", created.id, t0);
      sql.exec(
        "INSERT INTO cursors (user_id, acked) VALUES (?, ?), (?, ?)",
        alice.user.id,
        reply.id,
        bob.user.id,
        reply.id,
      );
      return { created: created.id, hello: hello.id, reply: reply.id };
    });
    await runInDurableObject(userStub(alice.user.id), (_instance, state) => {
      const sql = state.storage.sql;
      wipe(sql);
      expect(migrate(state.storage, USER_SCHEMA.slice(0, 7))).toBe(7);
      const message =
        "INSERT INTO messages (seq, id, chat, sender, text, ts, client_id, system) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
      const system = JSON.stringify({ event: "created", user: alice.user.id });
      sql.exec(message, 1, ids.created, chat, alice.user.id, "old team", t0, null, system);
      sql.exec(message, 2, ids.hello, chat, alice.user.id, "hello walrus", t0 + 10, "c1", null);
      sql.exec(message, 3, ids.reply, chat, bob.user.id, "hi alice", t0 + 20, null, null);
      const receipt = "INSERT INTO receipts (seq, rid, chat, ids, status, by, ts) VALUES (?, ?, ?, ?, ?, ?, ?)";
      sql.exec(receipt, 4, "r1", chat, JSON.stringify([ids.hello]), "read", bob.user.id, t0 + 40);
      sql.exec(
        "INSERT INTO receipt_marks (id, reader, delivered_at, read_at) VALUES (?, ?, ?, ?)",
        ids.hello,
        bob.user.id,
        t0 + 30,
        t0 + 40,
      );
      sql.exec("INSERT INTO chats (chat, last_seq, last_id, unread) VALUES (?, 3, ?, 1)", chat, ids.reply);
      sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('counters', ?)", packCounters(4, { ts: 0, seq: 0 }));
    });
    await evictDurableObject(groupStub(groupId));
    await evictDurableObject(userStub(alice.user.id));

    const stub = userStub(alice.user.id);
    const history = await stub.history(chat, undefined, 100);
    expect(history.map((m) => [m.seq, m.text])).toEqual([
      [1, "old team"],
      [2, "hello walrus"],
      [3, "hi alice"],
    ]);
    expect(await stub.chats()).toEqual([
      expect.objectContaining({ chat, unread: 1, lastMessage: expect.objectContaining({ id: ids.reply }) }),
    ]);
    const info = await stub.receiptsOf(chat, ids.hello);
    expect(info.ok && info.value.marks).toEqual([{ user: bob.user.id, deliveredAt: t0 + 30, readAt: t0 + 40 }]);

    const a = await connect(alice.token);
    const b = await connect(bob.token);
    b.send({ type: "send", clientId: "b2", chat, text: "new code walrus" });
    const live = await a.next("message", (f) => f.message.text === "new code walrus");
    expect(live.message.seq).toBeGreaterThan(4);
    await settle(groupId);
    a.send({ type: "sync", after: 0 });
    const synced = await a.next("synced");
    const replayed = a
      .of("message")
      .slice(1)
      .map((f) => f.message as Message);
    expect(replayed.map((m) => [m.seq, m.text])).toEqual([
      [1, "old team"],
      [2, "hello walrus"],
      [3, "hi alice"],
      [live.message.seq, "new code walrus"],
    ]);
    expect(a.of("receipt").map((f) => [f.by, f.ids])).toEqual([[bob.user.id, [ids.hello]]]);
    expect(synced.seq).toBeGreaterThanOrEqual(live.message.seq);
    const found = await stub.search({ words: ["walrus"], limit: 10 });
    expect(found.ok && found.value.map((m) => m.text)).toEqual(["new code walrus", "hello walrus"]);
    expect((await stub.chats())[0]).toMatchObject({ unread: 2, lastMessage: { text: "new code walrus" } });
    a.send({ type: "read", chat, upTo: live.message.id });
    await b.next("receipt", (f) => f.status === "read");
    expect((await stub.chats())[0]).toMatchObject({ unread: 0 });
    // Reactions to the old copies are answered, and leave the chat read.
    b.send({ type: "sync", after: 0 });
    await b.next("synced");
    b.send({ type: "react", clientId: "rb", id: ids.reply, emoji: "👍" });
    expect(await b.next("update", (f) => f.clientId === "rb")).toMatchObject({ message: { id: ids.reply } });
    a.send({ type: "react", clientId: "ra", id: ids.hello, emoji: "🎉" });
    expect(await a.next("update", (f) => f.clientId === "ra")).toMatchObject({ message: { id: ids.hello } });
    await settle(groupId);
    await a.until((x) => x.of("update").some((f) => f.message.id === ids.reply));
    expect((await stub.chats())[0]).toMatchObject({ unread: 0 });
    a.close();
    b.close();
    await clearAlarms([groupId], [alice.user.id, bob.user.id]);
  });
});
