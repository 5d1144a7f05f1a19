// Search latency inside SQLite alone: the production query (searchSql and
// matchExpression, as the user object runs them) against a copy of the
// reader's mailbox, without HTTP, the token check or the RPC hop. What is
// left is the index's own cost, and it varies far less with machine load.

import type { DatabaseSync } from "node:sqlite";
import { matchExpression, searchSql } from "../../src/objects/user/search-query";
import { percentile } from "./latency";

export interface QuerySpec {
  name: string;
  words: string[];
  /** Index into the mailbox (0 = oldest) of the message to page back from. */
  beforeIndex?: number;
}

export interface EngineFigures {
  name: string;
  returned: number;
  p50: number;
  p99: number;
}

export function measureEngine(db: DatabaseSync, specs: QuerySpec[], runs: number, limit = 50): EngineFigures[] {
  const query = db.prepare(searchSql(["seq", "id"]));
  const seqs = db.prepare("SELECT seq FROM messages ORDER BY seq").all() as { seq: number }[];
  return specs.map((spec) => {
    const match = matchExpression(spec.words);
    const before = spec.beforeIndex === undefined ? Number.MAX_SAFE_INTEGER : (seqs[spec.beforeIndex]?.seq ?? 0);
    let returned = 0;
    const times: number[] = [];
    for (let i = 0; i < runs + 10; i++) {
      const started = performance.now();
      returned = query.all(match, before, limit).length;
      if (i >= 10) times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return { name: spec.name, returned, p50: percentile(times, 50), p99: percentile(times, 99) };
  });
}
