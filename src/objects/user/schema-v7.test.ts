// Schema step 7 (issue 16: fewer rows per one-to-one message) on an object
// written by the step before it: the three counter rows become one, receipt
// marks of one-to-one messages go (message info reads the receipts log), the
// search index is rebuilt without its size rows, the outbox loses
// AUTOINCREMENT, and each one-to-one chat learns what its peer was handed.
// Opened by today's code, the object shows every message, receipt, message
// info, unread count and cursor it had, finds its words, and delivers what
// was pending once, without sending again what was delivered.

import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { nextMessageId } from "../../shared/ids";
import type { ChatSummary, Message } from "../../shared/protocol";
import { api, connect, register, userStub } from "../../test/helpers";
import { wipe } from "../../test/sqlite";
import { migrate } from "../storage/schema";
import { RETRY_UPTO_KEY } from "./retry-keys";
import { USER_SCHEMA } from "./schema";
import { FTS_UPTO_KEY } from "./search-triggers";

/** A chat between `me` and `peer` as the code before step 7 wrote it. */
function seedBefore(sql: SqlStorage, me: string, peer: string, t0: number) {
  const read = nextMessageId(t0, { ts: 0, seq: 0 }, me);
  const edited = nextMessageId(t0 + 10, read.clock, me);
  const theirs = nextMessageId(t0 + 20, { ts: 0, seq: 0 }, peer);
  const pending = nextMessageId(t0 + 30, edited.clock, me);
  const message =
    "INSERT INTO messages (seq, id, chat, sender, text, ts, client_id, delivered_at, read_at, edited_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  const chat = `u:${peer}`;
  sql.exec(message, 1, read.id, chat, me, "walrus one", read.ts, "c1", null, null, null);
  sql.exec(message, 2, edited.id, chat, me, "walrus two edited", edited.ts, "c2", null, null, t0 + 500);
  sql.exec(message, 3, theirs.id, chat, peer, "from the peer", theirs.ts, null, t0 + 100, null, null);
  const receipt = "INSERT INTO receipts (seq, rid, chat, ids, status, by, ts) VALUES (?, ?, ?, ?, ?, ?, ?)";
  sql.exec(receipt, 4, "r1", chat, JSON.stringify([read.id, edited.id]), "delivered", peer, t0 + 200);
  sql.exec(receipt, 5, "r2", chat, JSON.stringify([read.id, edited.id]), "read", peer, t0 + 300);
  // The marks as that code kept them: the edit (at t0 + 500) reset the second one's read.
  const mark = "INSERT INTO receipt_marks (id, reader, delivered_at, read_at) VALUES (?, ?, ?, ?)";
  sql.exec(mark, read.id, peer, t0 + 200, t0 + 300);
  sql.exec(mark, edited.id, peer, t0 + 200, null);
  sql.exec(message, 6, pending.id, chat, me, "pending walrus", pending.ts, "c3", null, null, null);
  sql.exec("INSERT INTO chats (chat, last_seq, last_id, unread) VALUES (?, ?, ?, ?)", chat, 6, pending.id, 1);
  sql.exec("INSERT INTO contacts (user_id, since) VALUES (?, ?)", peer, t0);
  const item = { kind: "message", id: pending.id, chat: `u:${me}`, from: me, text: "pending walrus", ts: pending.ts };
  sql.exec("INSERT INTO outbox (target, item, next_at) VALUES (?, ?, ?)", peer, JSON.stringify(item), t0);
  for (const [key, value] of [
    ["seq", 6],
    ["id_ts", pending.clock.ts],
    ["id_seq", pending.clock.seq],
  ] as const) {
    sql.exec("INSERT INTO meta (key, value) VALUES (?, ?)", key, String(value));
  }
  return { read, edited, theirs, pending };
}

describe("schema step 7 on an object written before it", () => {
  it("keeps every message, receipt, message info, unread count and cursor, and delivers the pending one once", async () => {
    const alice = await register();
    const bob = await register();
    const stub = userStub(alice.user.id);
    const t0 = Date.now() - 60_000;
    const chat = `u:${bob.user.id}`;
    const ids = await runInDurableObject(stub, (_instance, state) => {
      wipe(state.storage.sql);
      expect(migrate(state.storage, USER_SCHEMA.slice(0, 6))).toBe(6);
      return seedBefore(state.storage.sql, alice.user.id, bob.user.id, t0);
    });
    await evictDurableObject(stub);

    const shape = await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      return {
        version: sql.exec<{ version: number }>("SELECT version FROM _schema").one().version,
        meta: sql
          .exec<{ key: string }>("SELECT key FROM meta ORDER BY key")
          .toArray()
          .map((r) => r.key),
        marks: sql.exec<{ n: number }>("SELECT count(*) AS n FROM receipt_marks").one().n,
        chat: sql.exec("SELECT last_own, handed FROM chats").toArray(),
      };
    });
    expect(shape).toEqual({
      version: USER_SCHEMA.length,
      // and step 17's search index position, step 21's retry keys' position
      meta: ["counters", FTS_UPTO_KEY, RETRY_UPTO_KEY],
      marks: 0,
      chat: [{ last_own: ids.pending.id, handed: ids.pending.id }],
    });

    // Message info as the marks said, now from the receipts log.
    const info = async (id: string) => (await stub.receiptsOf(chat, id)).ok && (await stub.receiptsOf(chat, id));
    expect(await info(ids.read.id)).toMatchObject({
      value: { marks: [{ user: bob.user.id, deliveredAt: t0 + 200, readAt: t0 + 300 }] },
    });
    expect(await info(ids.edited.id)).toMatchObject({
      value: { marks: [{ user: bob.user.id, deliveredAt: t0 + 200, readAt: null }] },
    });
    expect(await info(ids.pending.id)).toMatchObject({ value: { marks: [] } });

    const chats = await (await api("/api/chats", { token: alice.token })).json<{ chats: ChatSummary[] }>();
    expect(chats.chats).toEqual([expect.objectContaining({ chat, unread: 1 })]);
    // The search index was rebuilt: old words are found.
    const found = await stub.search({ words: ["walrus"], limit: 10 });
    expect(found.ok && found.value.map((m) => m.id)).toEqual([ids.pending.id, ids.edited.id, ids.read.id]);

    // Sync from zero: every message and both receipts, the cursor as before.
    const socket = await connect(alice.token);
    socket.send({ type: "sync", after: 0 });
    expect((await socket.next("synced")).seq).toBe(6);
    expect(socket.of("message").map((f) => f.message.seq)).toEqual([1, 2, 3, 6]);
    expect(socket.of("receipt").map((f) => f.status)).toEqual(["delivered", "read"]);
    // Reading the peer's message clears the unread count.
    socket.send({ type: "read", chat, upTo: ids.theirs.id });
    socket.send({ type: "send", clientId: "after", chat, text: "new code" });
    const sent = await socket.next("sent", (f) => f.clientId === "after");
    expect(sent.seq).toBe(7);
    expect(sent.id > ids.pending.id).toBe(true);
    expect((await stub.chats())[0]?.unread).toBe(0);
    socket.close();

    // The pending one goes out by the old outbox row, the new one from the mailbox; nothing older again.
    for (let i = 0; i < 5 && (await stub.stats()).outbox > 0; i++) await runDurableObjectAlarm(stub);
    await runDurableObjectAlarm(stub);
    expect((await stub.stats()).outbox).toBe(0);
    const bobs = await userStub(bob.user.id).history(`u:${alice.user.id}`, undefined, 10);
    expect(bobs.map((m: Message) => m.text)).toEqual(["pending walrus", "new code"]);
  });
});
