// The group's search index in blocks (group schema step 7, ./log-words.ts):
// a document per 16 positions, written by the log row that completes the
// block; the newest, unfinished block is searched row by row. A hit is a
// message that has every word itself (not its block), edits and deletes
// rewrite their block, a crash right after a block completes loses nothing,
// and a group written before the step finds every word after it.

import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { act } from "../../test/actions";
import { clearAlarms, groupStub, settle, team } from "../../test/groups";
import { connect, type TestSocket } from "../../test/helpers";
import { matchExpression } from "../user/search-query";
import { WORDS_BLOCK } from "./log-words";

let sends = 0;

async function sendAll(socket: TestSocket, chat: string, texts: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const text of texts) {
    const answer = await act(socket, { type: "send", clientId: `c${++sends}`, chat, text });
    if (answer.type !== "sent") throw new Error(JSON.stringify(answer));
    ids.push(answer.id);
  }
  return ids;
}

async function found(groupId: string, member: string, words: string[], limit = 50): Promise<string[]> {
  const answer = await groupStub(groupId).search(member, matchExpression(words), undefined, limit);
  if (!answer.ok) throw new Error(JSON.stringify(answer.error));
  return answer.value.map((e) => e.id);
}

async function documents(groupId: string): Promise<number[]> {
  return runInDurableObject(groupStub(groupId) as DurableObjectStub, (_, state) =>
    state.storage.sql
      .exec<{ rowid: number }>("SELECT rowid FROM log_words ORDER BY rowid")
      .toArray()
      .map((r) => r.rowid),
  );
}

/** A group of two with its admin connected; `done` closes the socket, lets the fan-out settle and clears the alarms. */
async function twoInGroup() {
  const { admin, rest, group, chat } = await team(2);
  const bob = (rest[0] as (typeof rest)[0]).user.id;
  const a = await connect(admin.token);
  const done = async () => {
    a.close();
    await settle(group.id);
    await clearAlarms([group.id], [admin.user.id, bob]);
  };
  return { a, bob, group, chat, done };
}

/** Texts for positions: each says its number, a few share words. */
const texts = (n: number) => Array.from({ length: n }, (_, i) => `note${i}z ${i % 2 === 0 ? "alpha" : "beta"}`);

describe("the group's search index in blocks", { timeout: 60_000 }, () => {
  it("finds words in complete blocks and in the unfinished one; a block's words spread over messages are no hit", async () => {
    const { a, bob, group, chat, done } = await twoInGroup();
    // Positions 1 and 2 are the group's system entries: 2 blocks complete, the third not.
    const ids = await sendAll(a, chat, texts(2 * WORDS_BLOCK + 5));
    expect(await documents(group.id)).toEqual([0, 1]);
    expect(await found(group.id, bob, ["note3z"])).toEqual([ids[3]]);
    expect(await found(group.id, bob, ["note36z"])).toEqual([ids[36]]); // the unfinished block
    expect(await found(group.id, bob, ["note2z", "alpha"])).toEqual([ids[2]]);
    // Both words are in block 0, in different messages: no message has both.
    expect(await found(group.id, bob, ["note3z", "alpha"])).toEqual([]);
    const alphas = ids.filter((_, i) => i % 2 === 0).reverse();
    expect(await found(group.id, bob, ["alpha"])).toEqual(alphas);
    expect(await found(group.id, bob, ["alpha"], 5)).toEqual(alphas.slice(0, 5));
    const page = await groupStub(group.id).search(bob, matchExpression(["alpha"]), alphas[4], 5);
    expect(page.ok && page.value.map((e) => e.id)).toEqual(alphas.slice(5, 10));

    // An edit and a delete in a complete block rewrite its document.
    expect((await act(a, { type: "edit", clientId: "e", id: ids[4], text: "walrus" })).type).toBe("update");
    expect(await found(group.id, bob, ["walrus"])).toEqual([ids[4]]);
    expect(await found(group.id, bob, ["note4z"])).toEqual([]);
    const deleted = await act(a, { type: "delete", clientId: "d", id: ids[5], for: "everyone" });
    expect(deleted.type).toBe("update");
    expect(await found(group.id, bob, ["note5z"])).toEqual([]);
    expect(await found(group.id, bob, ["note6z"])).toEqual([ids[6]]);
    await runInDurableObject(groupStub(group.id) as DurableObjectStub, (_, state) => {
      state.storage.sql.exec("INSERT INTO log_words (log_words) VALUES ('integrity-check')");
    });
    await done();
  });

  it("the group dies right after the entry that completes a block: the block is indexed, the next one is searched", async () => {
    const { a, bob, group, chat, done } = await twoInGroup();
    // The group's own entries come first: the last message here lands on position 15, the last of block 0.
    const start = await runInDurableObject(
      groupStub(group.id) as DurableObjectStub,
      (_, state) => state.storage.sql.exec<{ pos: number }>("SELECT max(pos) AS pos FROM log").one().pos,
    );
    const ids = await sendAll(a, chat, texts(WORDS_BLOCK - 1 - start));
    expect(await documents(group.id)).toEqual([0]);
    await runInDurableObject(groupStub(group.id) as DurableObjectStub, (_, state) => state.abort("test crash")).catch(
      () => undefined,
    );
    expect(await documents(group.id)).toEqual([0]);
    expect(await found(group.id, bob, ["note0z"])).toEqual([ids[0]]);
    const more = await sendAll(a, chat, ["after crash"]);
    expect(await found(group.id, bob, ["crash"])).toEqual(more);
    await done();
  });

  it("a group written before step 7 (one document per message) finds every word after it", async () => {
    const { a, bob, group, chat, done } = await twoInGroup();
    const ids = await sendAll(a, chat, texts(WORDS_BLOCK + 4));
    await settle(group.id);
    // Back to version 6: the per-message index as steps 3 and 5 made it.
    await runInDurableObject(groupStub(group.id) as DurableObjectStub, (_, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP TRIGGER log_words_insert");
      sql.exec("DROP TRIGGER log_words_update");
      sql.exec("DROP TABLE log_words");
      sql.exec(`CREATE VIRTUAL TABLE log_fts USING fts5(
        text, content='log', content_rowid='pos', tokenize='unicode61 remove_diacritics 2', prefix='1 2', columnsize=0
      )`);
      const indexed = (row: "new" | "old") =>
        `${row}.text || coalesce(' ' || json_extract(${row}.media, '$.name'), '')`;
      sql.exec(`CREATE TRIGGER log_fts_insert AFTER INSERT ON log WHEN new.system IS NULL AND new.target IS NULL BEGIN
        INSERT INTO log_fts (rowid, text) VALUES (new.pos, ${indexed("new")});
      END`);
      sql.exec(`CREATE TRIGGER log_fts_update AFTER UPDATE OF text, media ON log WHEN old.system IS NULL AND old.target IS NULL BEGIN
        INSERT INTO log_fts (log_fts, rowid, text) VALUES ('delete', old.pos, ${indexed("old")});
        INSERT INTO log_fts (rowid, text) VALUES (new.pos, ${indexed("new")});
      END`);
      sql.exec("INSERT INTO log_fts (rowid, text) SELECT pos, text FROM log WHERE system IS NULL AND target IS NULL");
      sql.exec("UPDATE _schema SET version = 6");
    });
    await evictDurableObject(groupStub(group.id));
    expect(await found(group.id, bob, ["note1z"])).toEqual([ids[1]]);
    expect(await found(group.id, bob, ["note19z"])).toEqual([ids[19]]);
    expect(await documents(group.id)).toEqual([0]);
    expect(await found(group.id, bob, ["beta"])).toEqual(ids.filter((_, i) => i % 2 === 1).reverse());
    await done();
  });
});
