// The search index fed in batches (schema step 17, ./search-triggers.ts): the
// newest messages wait in a tail that search matches one by one, and the tail
// is indexed in the statement of the insert that makes it long enough.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { randomId } from "../../shared/ids";
import type { Media } from "../../shared/schemas/media";
import { register, userStub } from "../../test/helpers";
import { backTo18 } from "../../test/hosted";
import { checkSearchIndex } from "../../test/search-index";
import type { InboxMessage } from "../inbox";
import { migrate } from "../storage/schema";
import { USER_SCHEMA } from "./schema";
import { createSearchTriggers, dropSearchTriggers, FTS_UPTO_KEY, SEARCH_TAIL_SEQS } from "./search-triggers";

let clock = Date.now();
function inboxMessage(from: string, text: string, media?: InboxMessage["media"]): InboxMessage {
  clock += 1;
  const id = `${clock.toString(36).padStart(9, "0")}0000${randomId()}`;
  return { kind: "message", id, chat: `u:${from}`, from, text, ts: clock, ...(media ? { media } : {}) };
}

function position(sql: SqlStorage): number | undefined {
  const row = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", FTS_UPTO_KEY).toArray()[0];
  return row === undefined ? undefined : Number(row.value);
}

function indexed(sql: SqlStorage, word: string): number {
  return sql.exec<{ n: number }>("SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH ?", `"${word}"`).one()
    .n;
}

async function texts(stub: ReturnType<typeof userStub>, word: string): Promise<string[]> {
  const found = await stub.search({ words: [word], limit: 100 });
  if (!found.ok) throw new Error(found.error.code);
  return found.value.map((m) => m.text);
}

describe("the search index's tail", () => {
  it("finds the newest messages before they are indexed, and indexes them in one batch", async () => {
    const [alice, bob] = [await register(), await register()];
    const stub = userStub(bob.user.id);
    await stub.accept([inboxMessage(alice.user.id, "quince jam"), inboxMessage(alice.user.id, "Quincé tart")]);
    await runInDurableObject(stub, (_, state) => {
      const sql = state.storage.sql;
      expect(indexed(sql, "quince")).toBe(0); // still in the tail
      checkSearchIndex(state);
    });
    // Found there, folded as the index folds (case, diacritics), by prefix.
    expect(await texts(stub, "quin")).toEqual(["Quincé tart", "quince jam"]);
    expect(await texts(stub, "jams")).toEqual([]);

    const more = Array.from({ length: SEARCH_TAIL_SEQS }, (_, i) => inboxMessage(alice.user.id, `quince ${i}`));
    await stub.accept(more);
    await runInDurableObject(stub, (_, state) => {
      const sql = state.storage.sql;
      const newest = sql.exec<{ s: number }>("SELECT max(seq) AS s FROM messages").one().s;
      const upto = position(sql) ?? 0;
      // The batch ran when the tail spanned SEARCH_TAIL_SEQS seqs: the rest waits again.
      expect(upto).toBeGreaterThanOrEqual(SEARCH_TAIL_SEQS);
      expect(newest - upto).toBeLessThan(SEARCH_TAIL_SEQS);
      const below = sql.exec<{ n: number }>("SELECT count(*) AS n FROM messages WHERE seq <= ?", upto).one().n;
      expect(below).toBeGreaterThan(0);
      expect(indexed(sql, "quince")).toBe(below);
      checkSearchIndex(state);
    });
    // Each message once: from the index and the tail together.
    const all = await texts(stub, "quince");
    expect(all).toHaveLength(2 + SEARCH_TAIL_SEQS);
    expect(new Set(all).size).toBe(all.length);
    expect(all[0]).toBe(`quince ${SEARCH_TAIL_SEQS - 1}`);
  });

  it("keeps the index right when a message in it or in the tail is edited or deleted", async () => {
    const owner = randomId();
    await runInDurableObject(userStub(owner), (_, state) => {
      const sql = state.storage.sql;
      const insert = "INSERT INTO messages (seq, id, chat, sender, text, ts, media) VALUES (?, ?, ?, ?, ?, ?, ?)";
      let seq = 0;
      const add = (text: string, media: string | null = null) => {
        const m = inboxMessage("peer", text);
        sql.exec(insert, ++seq, m.id, m.chat, "peer", m.text, m.ts, media);
        return seq;
      };
      const old = add("plum old");
      const gone = add("plum gone");
      for (let i = 0; i < SEARCH_TAIL_SEQS - 2; i++) add(`filler ${i}`);
      expect(position(sql)).toBe(SEARCH_TAIL_SEQS); // the batch ran with the 64th seq
      const fresh = add("plum fresh");
      const file = add("", JSON.stringify({ name: "plumbing.pdf" }));
      // An edit in the index and one in the tail; a delete of each.
      sql.exec("UPDATE messages SET text = 'pear old' WHERE seq = ?", old);
      sql.exec("UPDATE messages SET text = 'pear fresh' WHERE seq = ?", fresh);
      sql.exec("DELETE FROM messages WHERE seq IN (?, ?)", gone, file);
      checkSearchIndex(state);
      expect([indexed(sql, "plum"), indexed(sql, "pear")]).toEqual([0, 1]);
    });
    const stub = userStub(owner);
    expect(await texts(stub, "plum")).toEqual([]);
    expect(await texts(stub, "pear")).toEqual(["pear fresh", "pear old"]);
  });

  it("finds a file in the tail by its name, as the index does", async () => {
    const [alice, bob] = [await register(), await register()];
    const stub = userStub(bob.user.id);
    const media: Media = { id: randomId(), kind: "file", mime: "application/pdf", size: 10, name: "Invoice-March.pdf" };
    await stub.accept([inboxMessage(alice.user.id, "here it is", media)]);
    expect(await texts(stub, "invoice")).toEqual(["here it is"]);
    expect(await texts(stub, "march")).toEqual(["here it is"]);
  });

  it("moves a mailbox indexed at once to batches without indexing anything again (schema step 17)", async () => {
    const owner = randomId();
    await runInDurableObject(userStub(owner), (_, state) => {
      const sql = state.storage.sql;
      // Back to v16: step 13's triggers, no position (and step 19 taken off, which would not run twice).
      backTo18(sql);
      dropSearchTriggers(sql);
      createSearchTriggers(sql);
      sql.exec("DELETE FROM meta WHERE key = ?", FTS_UPTO_KEY);
      sql.exec("UPDATE _schema SET version = 16");
      const insert = "INSERT INTO messages (seq, id, chat, sender, text, ts) VALUES (?, ?, ?, ?, ?, ?)";
      for (let seq = 1; seq <= 5; seq++) {
        const m = inboxMessage("peer", `fig ${seq}`);
        sql.exec(insert, seq, m.id, m.chat, "peer", m.text, m.ts);
      }
      expect(indexed(sql, "fig")).toBe(5);

      expect(migrate(sql, USER_SCHEMA)).toBe(USER_SCHEMA.length);
      expect(position(sql)).toBe(5);
      expect(indexed(sql, "fig")).toBe(5); // nothing indexed twice
      const m = inboxMessage("peer", "fig 6");
      sql.exec(insert, 6, m.id, m.chat, "peer", m.text, m.ts);
      expect(indexed(sql, "fig")).toBe(5); // the new one waits in the tail
      checkSearchIndex(state);
    });
    expect(await texts(userStub(owner), "fig")).toEqual(["fig 6", "fig 5", "fig 4", "fig 3", "fig 2", "fig 1"]);
  });
});
