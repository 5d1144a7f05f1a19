// Schema step 13 (issue 16 item 5: receipts as positions, one (chat, id)
// index) on an object written by the step before it: per-message delivered
// and read times become the chat's positions (a read message an edit made
// unread again keeps a mark), and the messages table is rebuilt with one
// unique (chat, id) index instead of `id` unique beside (chat, id).
// Opened by today's code, the object shows every message, unread count and
// cursor it had, finds its words and its rows by id (message info, a quote),
// drops a repeated delivery, and its receipts say what they said before: no
// second receipt for what was delivered or read in order.

import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { nextMessageId } from "../../shared/ids";
import type { ChatSummary } from "../../shared/protocol";
import { rows } from "../../test/actions";
import { senderFirst } from "../../test/copies";
import { api, connect, register, userStub } from "../../test/helpers";
import { eventually } from "../../test/presence-helpers";
import { wipe } from "../../test/sqlite";
import { migrate } from "../storage/schema";
import { USER_SCHEMA } from "./schema";

/** A chat of `me` with `peer` as the code before step 13 wrote it (times relative to t0). */
function seedBefore(sql: SqlStorage, me: string, peer: string, t0: number) {
  let peerClock = { ts: 0, seq: 0 };
  const theirs = (dt: number) => {
    const made = nextMessageId(t0 + dt, peerClock, peer);
    peerClock = made.clock;
    return made;
  };
  const p1 = theirs(1); // delivered, read
  const p2 = theirs(2); // delivered, read, then edited: unread again
  const p3 = theirs(3); // delivered, read
  const own = nextMessageId(t0 + 4, { ts: 0, seq: 0 }, me);
  const p4 = theirs(5); // delivered
  const p5 = theirs(6); // not delivered yet
  const p6 = theirs(7); // delivered (acknowledged before p5)
  const chat = `u:${peer}`;
  const insert =
    "INSERT INTO messages (seq, id, chat, sender, text, ts, client_id, delivered_at, read_at, edited_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  const peerRow = (seq: number, m: { id: string; ts: number }, text: string, d: number | null, r: number | null) =>
    sql.exec(insert, seq, m.id, chat, peer, text, m.ts, null, d, r, null);
  peerRow(1, p1, "narwhal one", t0 + 100, t0 + 200);
  peerRow(2, p2, "narwhal two edited", t0 + 100, null);
  sql.exec("UPDATE messages SET edited_at = ? WHERE seq = 2", t0 + 300);
  peerRow(3, p3, "narwhal three", t0 + 100, t0 + 200);
  sql.exec(insert, 4, own.id, chat, me, "my narwhal", own.ts, "c1", null, null, null);
  peerRow(5, p4, "four", t0 + 400, null);
  peerRow(6, p5, "five", null, null);
  peerRow(7, p6, "six", t0 + 400, null);
  sql.exec(
    "INSERT INTO receipts (seq, rid, chat, ids, status, by, ts) VALUES (8, 'r1', ?, ?, 'read', ?, ?)",
    chat,
    JSON.stringify([own.id]),
    peer,
    t0 + 500,
  );
  // The chat row as that code kept it: the edit lowered the read floor to p2.
  sql.exec(
    `INSERT INTO chats (chat, last_seq, last_id, unread, read_floor, last_own, handed)
     VALUES (?, 7, ?, 4, ?, ?, ?)`,
    chat,
    p6.id,
    p2.id,
    own.id,
    own.id,
  );
  sql.exec("INSERT INTO contacts (user_id, since) VALUES (?, ?)", peer, t0);
  sql.exec("UPDATE meta SET value = ? WHERE key = 'counters'", `8:${own.ts}:0`);
  return { p1, p2, p3, own, p4, p5, p6 };
}

describe("schema step 13 on an object written before it", () => {
  it("keeps every message, unread count, receipt and cursor; receipts go on from positions", async () => {
    // Alice's id sorts first: her reply below is today's copy whatever the run's HOSTED_GUEST_SEND
    // (only the one whose id sorts last makes a chat hosted; a pin would not outlive the eviction).
    const { alice, bob } = await senderFirst();
    const stub = userStub(alice.user.id);
    const t0 = Date.now() - 60_000;
    const chat = `u:${bob.user.id}` as const;
    const ids = await runInDurableObject(stub, (_instance, state) => {
      wipe(state.storage.sql);
      expect(migrate(state.storage, USER_SCHEMA.slice(0, 12))).toBe(12);
      return seedBefore(state.storage.sql, alice.user.id, bob.user.id, t0);
    });
    await evictDurableObject(stub);

    expect((await stub.stats()).seq).toBe(8);
    const [row] = await rows<{ read_upto: string; delivered_upto: string; unread: number }>(
      alice.user.id,
      "SELECT read_upto, delivered_upto, unread FROM chats WHERE chat = ?",
      chat,
    );
    expect(row).toEqual({ read_upto: ids.p3.id, delivered_upto: ids.p4.id, unread: 4 });
    const marked = await rows<{ id: string }>(alice.user.id, "SELECT id FROM messages WHERE unread_mark IS NOT NULL");
    expect(marked.map((r) => r.id)).toEqual([ids.p2.id]);
    const indexes = await rows<{ name: string }>(
      alice.user.id,
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    );
    // The retry key left its index for a table at step 21 (./retry-keys.ts).
    expect(indexes.map((r) => r.name)).toEqual(["messages_by_chat", "messages_by_reply", "messages_unread_mark"]);

    // Every message, the chat list, search, and rows by id (message info, a quote).
    const all = [ids.p1, ids.p2, ids.p3, ids.own, ids.p4, ids.p5, ids.p6].map((m) => m.id);
    expect((await stub.history(chat, undefined, 20)).map((m) => m.id)).toEqual(all);
    const chats = await (await api("/api/chats", { token: alice.token })).json<{ chats: ChatSummary[] }>();
    expect(chats.chats).toEqual([expect.objectContaining({ chat, unread: 4 })]);
    const found = await stub.search({ words: ["narwhal"], limit: 10 });
    expect(found.ok && found.value.map((m) => m.id)).toEqual([ids.own.id, ids.p3.id, ids.p2.id, ids.p1.id]);
    const info = await stub.receiptsOf(chat, ids.own.id);
    expect(info.ok && info.value.marks).toEqual([{ user: bob.user.id, deliveredAt: t0 + 500, readAt: t0 + 500 }]);

    const a = await connect(alice.token);
    a.send({ type: "sync", after: 0 });
    expect((await a.next("synced")).seq).toBe(8);
    expect(a.of("message").map((f) => f.message.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    a.send({ type: "send", clientId: "reply", chat, text: "quoting", replyTo: ids.p1.id });
    const reply = await a.next("sent", (f) => f.clientId === "reply");
    expect(reply.seq).toBe(9);
    expect(reply.id > ids.own.id).toBe(true);
    expect((await stub.history(chat, undefined, 1))[0]?.replyTo).toEqual({
      id: ids.p1.id,
      from: bob.user.id,
      excerpt: "narwhal one",
    });
    // A repeated delivery of an old message is dropped (the unique (chat, id) index).
    await stub.accept([{ kind: "message", id: ids.p1.id, chat, from: bob.user.id, text: "again", ts: ids.p1.ts }]);
    expect((await stub.stats()).messages).toBe(8);

    // Acknowledgements: what was delivered in order sends nothing; p5 is new; p6 was
    // acknowledged past a gap (kept by old code per message): its receipt is sent again.
    a.send({ type: "received", ids: [ids.p1.id, ids.p4.id, ids.p5.id, ids.p6.id] });
    // Reading all: p2 (edited after its read), p4, p5 and p6; none of p1 and p3 again.
    a.send({ type: "read", chat, upTo: ids.p6.id });
    const receipts = () =>
      rows<{ status: string; ids: string }>(bob.user.id, "SELECT status, ids FROM receipts ORDER BY seq");
    await eventually(async () => (await receipts()).some((r) => r.status === "read"), "the read receipt at bob");
    const got = (await receipts()).map((r) => [r.status, JSON.parse(r.ids) as string[]]);
    expect(got).toEqual([
      ["delivered", [ids.p5.id, ids.p6.id]],
      ["read", [ids.p2.id, ids.p4.id, ids.p5.id, ids.p6.id]],
    ]);
    expect((await stub.chats())[0]?.unread).toBe(0);
    a.close();
  });

  it("marks the group messages stored before group step 8, so a wake's repair of the chat rows starts above them", async () => {
    const alice = await register();
    const stub = userStub(alice.user.id);
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      wipe(sql);
      expect(migrate(state.storage, USER_SCHEMA.slice(0, 12))).toBe(12);
      const insert =
        "INSERT INTO messages (seq, id, chat, sender, text, ts) VALUES (?, ?, 'g:old', 'someone', 'hi', ?)";
      for (let seq = 1; seq <= 3; seq++)
        sql.exec(insert, seq, nextMessageId(seq, { ts: 0, seq: 0 }, "someone").id, seq);
    });
    await evictDurableObject(stub);
    expect((await stub.stats()).seq).toBe(3);
    const mark = await rows<{ value: string }>(alice.user.id, "SELECT value FROM meta WHERE key = 'legacy_group_seq'");
    expect(mark.map((r) => Number(r.value))).toEqual([3]);
    expect(await rows(alice.user.id, "SELECT chat FROM chats")).toEqual([]);
  });
});
