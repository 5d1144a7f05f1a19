// Search over archived pages matches as the log's FTS5 index does
// (archive-reads.ts, textMatcher): checked against a real FTS5 table with the
// same tokenizer, in the Workers runtime's SQLite, over fixed and random texts.

import { runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { expect, it } from "vitest";
import { groupStub } from "../../test/groups";
import { matchExpression } from "../user/search-query";
import { textMatcher } from "./archive-reads";

const TEXTS = [
  "Café au lait",
  "don't stop me now",
  "NAÏVE résumé",
  "über-fast delivery",
  "a1b2 c3",
  "zebra crossing",
  "the zebras",
  "",
];
const QUERIES = [["cafe"], ["don't"], ["naive", "resume"], ["uber"], ["fast"], ["zebra"], ["zebras"], ["c3"], ["x"]];

it("matches the texts the FTS5 index matches", async () => {
  // An object never created as a group: its SQLite is a scratch pad here.
  const stub = groupStub(`scratch${crypto.randomUUID().slice(0, 8)}`);
  const random = fc.sample(
    fc.array(fc.constantFrom("ab", "Ab", "áb", "abc", "b", "c-d", "d'e", "e"), { maxLength: 5 }),
    60,
  );
  const texts = [...TEXTS, ...random.map((words) => words.join(" "))];
  const queries = [
    ...QUERIES,
    ...fc.sample(fc.array(fc.constantFrom("ab", "a", "b", "c", "d", "abc"), { minLength: 1, maxLength: 2 }), 30),
  ];
  await runInDurableObject(stub as DurableObjectStub, (_, state) => {
    const sql = state.storage.sql;
    sql.exec(
      "CREATE VIRTUAL TABLE t USING fts5(text, tokenize='unicode61 remove_diacritics 2', prefix='1 2', columnsize=0)",
    );
    for (const [i, text] of texts.entries()) sql.exec("INSERT INTO t (rowid, text) VALUES (?, ?)", i + 1, text);
    for (const words of queries) {
      const match = matchExpression(words);
      const fts = sql
        .exec<{ rowid: number }>("SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid", match)
        .toArray()
        .map((r) => r.rowid - 1);
      const mine = texts.flatMap((text, i) => (textMatcher(match)(text) ? [i] : []));
      expect({ words, hits: mine }).toEqual({ words, hits: fts });
    }
    sql.exec("DROP TABLE t");
  });
});
