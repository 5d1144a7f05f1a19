// Schema evolution: a user object whose SQLite was made by the first schema
// step (the oldest code that shipped), holding data written the way that code
// wrote it, is opened by today's code. It upgrades in place through every
// later step, whatever their number, and the user finds everything: chats,
// history, sync, the seq counter, the id clock, and a pending outbox item.

import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { nextMessageId } from "../../shared/ids";
import type { ChatSummary, Message } from "../../shared/protocol";
import { api, connect, register, userStub } from "../../test/helpers";
import { wipe } from "../../test/sqlite";
import { migrate } from "../storage/schema";
import { USER_SCHEMA } from "./schema";

/** Rows as the v1 code wrote them, with v1's own columns: a chat between `me` and `peer`. */
function seedV1(sql: SqlStorage, me: string, peer: string, t0: number) {
  const mine = nextMessageId(t0, { ts: 0, seq: 0 }, me);
  const theirs = nextMessageId(t0 + 1000, { ts: 0, seq: 0 }, peer);
  const pending = nextMessageId(t0 + 2000, mine.clock, me);
  const insertMessage =
    "INSERT INTO messages (seq, id, chat, sender, text, ts, client_id, delivered_at, read_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
  sql.exec(insertMessage, 1, mine.id, `u:${peer}`, me, "hi from v1", mine.ts, "v1-c1", null, null);
  sql.exec(insertMessage, 2, theirs.id, `u:${peer}`, peer, "hello back", theirs.ts, null, null, null);
  sql.exec(
    "INSERT INTO receipts (seq, rid, chat, ids, status, by, ts) VALUES (?, ?, ?, ?, ?, ?, ?)",
    3,
    `${peer}-r1`,
    `u:${peer}`,
    JSON.stringify([mine.id]),
    "delivered",
    peer,
    t0 + 1500,
  );
  sql.exec(
    insertMessage,
    4,
    pending.id,
    `u:${peer}`,
    me,
    "sent just before the deploy",
    pending.ts,
    "v1-c2",
    null,
    null,
  );
  sql.exec("INSERT INTO chats (chat, last_seq, last_id, unread) VALUES (?, ?, ?, ?)", `u:${peer}`, 4, pending.id, 1);
  sql.exec("INSERT INTO contacts (user_id, since) VALUES (?, ?)", peer, t0);
  // Its delivery to the peer had not happened yet.
  const item = {
    kind: "message",
    id: pending.id,
    chat: `u:${me}`,
    from: me,
    text: "sent just before the deploy",
    ts: pending.ts,
  };
  sql.exec("INSERT INTO outbox (target, item, next_at) VALUES (?, ?, ?)", peer, JSON.stringify(item), t0);
  for (const [key, value] of [
    ["seq", 4],
    ["id_ts", pending.clock.ts],
    ["id_seq", pending.clock.seq],
  ] as const) {
    sql.exec("INSERT INTO meta (key, value) VALUES (?, ?)", key, String(value));
  }
  return { mine, theirs, pending };
}

describe("a user object made by the first schema, opened by the current code", () => {
  it("upgrades in place and keeps every message, receipt, counter and pending delivery", async () => {
    const alice = await register();
    const bob = await register();
    const stub = userStub(alice.user.id);
    const t0 = Date.now() - 60_000;

    // Make alice's object look like one the v1 code created and filled.
    const ids = await runInDurableObject(stub, (_instance, state) => {
      wipe(state.storage.sql);
      expect(migrate(state.storage, USER_SCHEMA.slice(0, 1))).toBe(1);
      return seedV1(state.storage.sql, alice.user.id, bob.user.id, t0);
    });
    // The deploy: the object is torn down, and the next request builds it with today's code.
    await evictDurableObject(stub);

    const version = await runInDurableObject(stub, (_instance, state) => {
      return state.storage.sql.exec<{ version: number }>("SELECT version FROM _schema").one().version;
    });
    expect(version).toBe(USER_SCHEMA.length);

    const chats = await (await api("/api/chats", { token: alice.token })).json<{ chats: ChatSummary[] }>();
    expect(chats.chats).toEqual([
      expect.objectContaining({
        chat: `u:${bob.user.id}`,
        unread: 1,
        lastMessage: expect.objectContaining({ id: ids.pending.id }),
      }),
    ]);
    const history = await api(`/api/chats/u:${bob.user.id}/messages`, { token: alice.token });
    const { messages } = await history.json<{ messages: Message[] }>();
    expect(messages.map((m) => [m.seq, m.text, m.clientId])).toEqual([
      [1, "hi from v1", "v1-c1"],
      [2, "hello back", undefined],
      [4, "sent just before the deploy", "v1-c2"],
    ]);

    // A device that syncs from zero gets the same log, receipt included.
    const socket = await connect(alice.token);
    socket.send({ type: "sync", after: 0 });
    const synced = await socket.next("synced");
    expect(synced.seq).toBe(4);
    expect(socket.of("message").map((f) => f.message.seq)).toEqual([1, 2, 4]);
    expect(socket.of("receipt")).toEqual([
      expect.objectContaining({ ids: [ids.mine.id], status: "delivered", by: bob.user.id }),
    ]);

    // The counters carried over: the next send continues the seq and the id clock.
    socket.send({ type: "send", clientId: "after-upgrade", chat: `u:${bob.user.id}`, text: "new code" });
    const sent = await socket.next("sent");
    expect(sent.seq).toBe(5);
    expect(sent.id > ids.pending.id).toBe(true);
    // A retry of a message sent under v1 is still recognised.
    socket.send({ type: "send", clientId: "v1-c2", chat: `u:${bob.user.id}`, text: "sent just before the deploy" });
    expect(await socket.next("sent", (f) => f.clientId === "v1-c2")).toMatchObject({ id: ids.pending.id, seq: 4 });
    socket.close();

    // The delivery pending under v1 goes out with the first alarm of the new code.
    for (let i = 0; i < 5 && (await stub.stats()).outbox > 0; i++) await runDurableObjectAlarm(stub);
    await runDurableObjectAlarm(stub);
    expect((await stub.stats()).outbox).toBe(0);
    const bobs = await api(`/api/chats/u:${alice.user.id}/messages`, { token: bob.token });
    const bobMessages = (await bobs.json<{ messages: Message[] }>()).messages.map((m) => m.text);
    expect(bobMessages).toEqual(["sent just before the deploy", "new code"]);
  });
});
