// The receipts' shared tail (./receipt-tail.ts) answers what the per-member
// statement answered, or nothing: checked against the statement itself over
// a log with system entries, changes, several senders, entries added between
// asks, more than the first load and the most kept, and pages archived away.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { randomId } from "../../shared/ids";
import { groupStub } from "../../test/groups";
import type { GroupObject } from "../group-object";
import { migrate } from "../storage/schema";
import { ReceiptTail } from "./receipt-tail";
import { GROUP_SCHEMA } from "./schema";

const SENDERS = ["ann", "bob", "cat"];
const idAt = (pos: number) => `m${pos.toString().padStart(8, "0")}`;

function append(sql: SqlStorage, from: number, to: number): void {
  for (let pos = from; pos <= to; pos++) {
    const system = pos % 7 === 0 ? "joined" : null;
    const target = pos % 11 === 0 ? idAt(pos - 1) : null;
    sql.exec(
      "INSERT INTO log (pos, id, sender, text, ts, system, target) VALUES (?, ?, ?, 'x', ?, ?, ?)",
      pos,
      idAt(pos),
      SENDERS[pos % 3] as string,
      pos,
      system,
      target,
    );
  }
}

/** What GroupReceipts asked SQLite per member (its window aside: the tail is used only where it holds everything). */
function bySql(sql: SqlStorage, member: string, after: string, upTo: string, max: number) {
  return sql
    .exec<{ id: string; sender: string }>(
      `SELECT id, sender FROM log WHERE id > ?2 AND id <= ?3 AND sender != ?1
         AND system IS NULL AND target IS NULL ORDER BY pos LIMIT ?4`,
      member,
      after,
      upTo,
      max,
    )
    .toArray();
}

function compare(sql: SqlStorage, tail: ReceiptTail, from: number, to: number, max = 1_000): number {
  let answered = 0;
  for (const member of SENDERS) {
    for (let after = from; after <= to; after += 3) {
      for (const span of [0, 1, 2, 5, 40]) {
        const upTo = Math.min(after + span, to);
        const got = tail.between(member, after === 0 ? "" : idAt(after), idAt(upTo), max);
        if (got === null) continue;
        answered += 1;
        const want = bySql(sql, member, after === 0 ? "" : idAt(after), idAt(upTo), max);
        expect(got.map(({ id, sender }) => ({ id, sender }))).toEqual(want);
      }
    }
  }
  return answered;
}

describe("the receipts' shared tail", { timeout: 60_000 }, () => {
  it("names what the per-member statement names, as the log grows, past what it keeps, and after archiving", async () => {
    await runInDurableObject(groupStub(randomId()), (_: GroupObject, state) => {
      const sql = state.storage.sql;
      migrate(sql, GROUP_SCHEMA);
      let hot = 1;
      const tail = new ReceiptTail(sql, () => hot);
      append(sql, 1, 60);
      expect(compare(sql, tail, 0, 60)).toBeGreaterThan(0);
      // Entries added after the first ask are read when an acknowledgement reaches them.
      append(sql, 61, 130);
      expect(compare(sql, tail, 50, 130)).toBeGreaterThan(0);
      expect(compare(sql, tail, 0, 130, 3)).toBeGreaterThan(0);
      // More than it keeps: the oldest go, and asks below them are left to SQL.
      append(sql, 131, 12_000);
      expect(tail.between("ann", idAt(11_990), idAt(12_000), 1_000)).not.toBeNull();
      expect(tail.between("ann", idAt(100), idAt(12_000), 1_000)).toBeNull();
      expect(compare(sql, tail, 11_900, 12_000)).toBeGreaterThan(0);
      // A page archived away is gone from the statement's answer and from the tail's.
      sql.exec("DELETE FROM log WHERE pos <= ?", 11_950);
      hot = 11_951;
      expect(compare(sql, tail, 11_900, 12_000)).toBeGreaterThan(0);
    });
  });

  it("a long log read first covers only its newest entries", async () => {
    await runInDurableObject(groupStub(randomId()), (_: GroupObject, state) => {
      const sql = state.storage.sql;
      migrate(sql, GROUP_SCHEMA);
      append(sql, 1, 2_500);
      const tail = new ReceiptTail(sql, () => 1);
      expect(tail.between("ann", idAt(2_400), idAt(2_500), 1_000)).not.toBeNull();
      expect(tail.between("ann", idAt(1_000), idAt(2_500), 1_000)).toBeNull();
      expect(compare(sql, tail, 1_501, 2_500)).toBeGreaterThan(0);
      // Beyond the log's end (an id not written yet): SQL decides.
      expect(tail.between("ann", idAt(2_490), idAt(2_600), 1_000)).toBeNull();
    });
  });

  it("from a member's `since` (its first read or delivered after joining) names what the statement with its window names", async () => {
    await runInDurableObject(groupStub(randomId()), (_: GroupObject, state) => {
      const sql = state.storage.sql;
      migrate(sql, GROUP_SCHEMA);
      append(sql, 1, 300);
      const tail = new ReceiptTail(sql, () => 1);
      let answered = 0;
      for (const member of SENDERS) {
        for (const joined of [1, 2, 7, 11, 50, 151, 299, 300]) {
          for (const upTo of [joined, joined + 1, joined + 9, 300]) {
            const since = idAt(joined);
            const top = idAt(Math.min(upTo, 300));
            const got = tail.between(member, "", top, 1_000, since);
            expect(got).not.toBeNull();
            answered += 1;
            const want = bySql(sql, member, "", top, 1_000).filter((row) => row.id >= since);
            expect(got?.map(({ id, sender }) => ({ id, sender }))).toEqual(want);
          }
        }
      }
      expect(answered).toBe(96);
      // `since` at or below what the tail holds: SQL decides.
      append(sql, 301, 2_500);
      const later = new ReceiptTail(sql, () => 1);
      expect(later.between("ann", "", idAt(2_500), 1_000, idAt(100))).toBeNull();
      expect(later.between("ann", "", idAt(2_500), 1_000, idAt(2_000))).not.toBeNull();
    });
  });
});
