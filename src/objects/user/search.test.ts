import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { randomId } from "../../shared/ids";
import { connect, register, userStub } from "../../test/helpers";
import { hostOf } from "../../test/one-copy";
import { checkSearchIndex } from "../../test/search-index";
import type { InboxMessage } from "../inbox";
import { Meta } from "../storage/meta";
import { migrate } from "../storage/schema";
import { Counters } from "./counters";
import { Mailbox } from "./mailbox";
import { USER_SCHEMA } from "./schema";
import { searchMailbox } from "./search";
import { matchExpression } from "./search-query";
import { FTS_UPTO_KEY } from "./search-triggers";

function indexHits(sql: SqlStorage, word: string): number {
  return sql.exec<{ n: number }>("SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH ?", `"${word}"`).one()
    .n;
}

/** FTS5's own check, on an object whose index has no tail (older steps index at once). */
function integrityCheck(sql: SqlStorage): void {
  sql.exec("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
}

let clock = Date.now();
function inboxMessage(from: string, text: string): InboxMessage {
  clock += 1;
  return {
    kind: "message",
    id: `${clock.toString(36).padStart(9, "0")}0000${randomId()}`,
    chat: `u:${from}`,
    from,
    text,
    ts: clock,
  };
}

describe("matchExpression", () => {
  it("quotes every word and makes it a prefix, so nothing is FTS syntax", () => {
    expect(matchExpression(["hello", "wor"])).toBe('"hello"* "wor"*');
    expect(matchExpression(['a"b', "AND"])).toBe('"a""b"* "AND"*');
  });
});

describe("the search index", () => {
  it("indexes a retried send once", async () => {
    const [alice, bob] = [await register(), await register()];
    const socket = await connect(alice.token);
    const frame = { type: "send", clientId: "retry-1", chat: `u:${bob.user.id}`, text: "pineapple pizza" };
    socket.send(frame);
    socket.send(frame);
    await socket.next("sent");
    await socket.next("sent", () => socket.of("sent").length === 2);
    const ids = new Set(socket.of("sent").map((f) => f.id));
    expect(ids.size).toBe(1);
    // Indexed where it is stored: alice's mailbox, or bob's where bob hosts the chat (its one copy).
    const storer = (await hostOf(alice.user.id, bob.user.id)) ?? alice.user.id;
    await runInDurableObject(userStub(storer), (_, state) => {
      expect(checkSearchIndex(state, () => indexHits(state.storage.sql, "pineapple"))).toBe(1);
    });
    const found = await userStub(alice.user.id).search({ words: ["pineapple"], limit: 10 });
    expect(found.ok && found.value.map((m) => m.id)).toEqual([...ids]);
    socket.close();
  });

  it("indexes a redelivered message once", async () => {
    const [alice, bob] = [await register(), await register()];
    const items = [inboxMessage(alice.user.id, "avocado toast"), inboxMessage(alice.user.id, "avocado salad")];
    const stub = userStub(bob.user.id);
    await stub.accept(items);
    await stub.accept(items); // an outbox retry after a lost answer
    await stub.accept([items[1] as InboxMessage, inboxMessage(alice.user.id, "avocado again")]);
    await runInDurableObject(stub, (_, state) => {
      expect(checkSearchIndex(state, () => indexHits(state.storage.sql, "avocado"))).toBe(3);
    });
    const found = await stub.search({ words: ["avocado"], limit: 10 });
    expect(found.ok && found.value.map((m) => m.text)).toEqual(["avocado again", "avocado salad", "avocado toast"]);
  });

  it("backfills a mailbox that existed before the index (schema step 3)", async () => {
    const owner = randomId();
    const stub = userStub(owner);
    await runInDurableObject(stub, (_, state) => {
      const sql = state.storage.sql;
      // Take this object back to schema v2 (the step before the index), as a mailbox written by older code.
      for (const trigger of ["insert", "delete", "update"]) sql.exec(`DROP TRIGGER messages_fts_${trigger}`);
      sql.exec("DROP TABLE messages_fts");
      sql.exec("UPDATE _schema SET version = 2");
      sql.exec("DELETE FROM meta WHERE key = ?", FTS_UPTO_KEY); // step 17's index position
      const insert = "INSERT INTO messages (seq, id, chat, sender, text, ts) VALUES (?, ?, ?, ?, ?, ?)";
      const a = inboxMessage(owner, "old message about turnips");
      const b = inboxMessage(owner, "another old one");
      sql.exec(insert, 1, a.id, a.chat, owner, a.text, a.ts);
      sql.exec(insert, 2, b.id, b.chat, owner, b.text, b.ts);

      // Up to the index step only: this object already has the later steps' tables and columns.
      expect(migrate(sql, USER_SCHEMA.slice(0, 3))).toBe(3);
      integrityCheck(sql);
      const mailbox = new Mailbox(sql, new Counters(new Meta(sql), sql), owner);
      const found = searchMailbox(sql, mailbox, { words: ["turnip"], limit: 10 });
      expect(found.ok && found.value.map((m) => m.id)).toEqual([a.id]);
      expect(indexHits(sql, "old")).toBe(2);
    });
  });

  it("rebuilds a v3 index with prefix indexes, keeping every message findable (schema step 4)", async () => {
    const owner = randomId();
    await runInDurableObject(userStub(owner), (_, state) => {
      const sql = state.storage.sql;
      // Back to v3: the index as step 3 made it, without prefix indexes, over two messages.
      sql.exec("DROP TABLE messages_fts");
      sql.exec(`CREATE VIRTUAL TABLE messages_fts USING fts5(
        text, content='messages', content_rowid='seq', tokenize='unicode61 remove_diacritics 2'
      )`);
      sql.exec("UPDATE _schema SET version = 3");
      sql.exec("DELETE FROM meta WHERE key = ?", FTS_UPTO_KEY); // step 17's index position
      const insert = "INSERT INTO messages (seq, id, chat, sender, text, ts) VALUES (?, ?, ?, ?, ?, ?)";
      const a = inboxMessage(owner, "kiwi before the upgrade");
      sql.exec(insert, 1, a.id, a.chat, owner, a.text, a.ts);
      integrityCheck(sql);

      // Up to the prefix step only: this object already has the later steps' tables and columns.
      expect(migrate(sql, USER_SCHEMA.slice(0, 4))).toBe(4);
      const ddl = sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'messages_fts'").one().sql;
      expect(ddl).toContain("prefix='1 2'");
      // The v3 triggers feed the new table.
      const b = inboxMessage(owner, "kiwi after the upgrade");
      sql.exec(insert, 2, b.id, b.chat, owner, b.text, b.ts);
      integrityCheck(sql);
      const mailbox = new Mailbox(sql, new Counters(new Meta(sql), sql), owner);
      for (const word of ["k", "ki", "kiwi"]) {
        const found = searchMailbox(sql, mailbox, { words: [word], limit: 10 });
        expect(found.ok && found.value.map((m) => m.id)).toEqual([b.id, a.id]);
      }
    });
  });

  it("refuses a cursor that is not in the mailbox, as a value", async () => {
    const bob = await register();
    const answer = await userStub(bob.user.id).search({
      words: ["x"],
      before: `${"0".repeat(13)}${randomId()}`,
      limit: 5,
    });
    expect(answer).toEqual({ ok: false, error: { code: "invalid_field", message: expect.any(String) } });
  });
});
