// Moving one bucket of accounts to another D1 database (docs/capacity.md,
// "Moving a bucket"), in the steps an operator runs through the admin routes
// (ops/admin.ts) around a deploy that switches the map (shared/shards.ts):
//
//   1. copy     source → target, every row of the bucket (repeatable: the map
//               still points at the source, so the target's rows of the
//               bucket are only ever copies, and are overwritten);
//   2. verify   every source row is on the target, the same;
//   3. switch   the map: MOVED[bucket] = target and MOVING_FROM[bucket] =
//               source, deployed. Reads that miss on the target (a session or
//               account the old map's Workers just wrote) look at the source;
//               logout revokes on both;
//   4. catch-up once no Worker of the old map runs: what they wrote since the
//               copy. New rows are copied; a session keeps the target's
//               revocation or the source's, and the later last_active_at;
//               accounts and blocks already on the target stay as they are
//               (the target is the authority since the switch);
//   5. verify   again, then deploy the map without MOVING_FROM;
//   6. remove   the bucket's rows from the source (refused while the map
//               still sends the bucket there).
//
// The rows of a bucket: users whose id starts with its prefix, their
// sessions, and the blocks they made. Accounts made before sharding (ids
// without a bucket) are in no bucket and never move this way.

import { bucketPrefix } from "../../shared/shards";

type Row = Record<string, unknown>;

interface Table {
  name: "users" | "sessions" | "blocks";
  /** The column that carries the bucket's prefix. */
  owner: string;
  key: string[];
  /** How a copied row meets one already there: on `copy`, and on `catch-up`. */
  onConflict: { copy: string; catchUp: string };
}

const SET_ALL = (columns: string[], key: string[]) =>
  columns
    .filter((c) => !key.includes(c))
    .map((c) => `${c} = excluded.${c}`)
    .join(", ");

const TABLES: Table[] = [
  { name: "users", owner: "id", key: ["id"], onConflict: { copy: "all", catchUp: "DO NOTHING" } },
  {
    name: "sessions",
    owner: "user_id",
    key: ["id"],
    onConflict: {
      copy: "all",
      catchUp: `DO UPDATE SET
        revoked_at = coalesce(sessions.revoked_at, excluded.revoked_at),
        last_active_at = CASE
          WHEN excluded.last_active_at IS NULL THEN sessions.last_active_at
          WHEN sessions.last_active_at IS NULL THEN excluded.last_active_at
          ELSE max(sessions.last_active_at, excluded.last_active_at) END`,
    },
  },
  {
    name: "blocks",
    owner: "blocker",
    key: ["blocker", "blocked"],
    onConflict: { copy: "DO NOTHING", catchUp: "DO NOTHING" },
  },
];

const PAGE = 200;

export type BucketCounts = Record<Table["name"], number>;

/** Pages through the bucket's rows of `table` on `db`, in key order. */
async function* rowsOf(db: D1Database, table: Table, bucket: number): AsyncGenerator<Row[]> {
  const keys = table.key.join(", ");
  let after: unknown[] | null = null;
  for (;;) {
    const past = after ? `AND (${keys}) > (${table.key.map(() => "?").join(", ")})` : "";
    const { results } = await db
      .prepare(
        `SELECT * FROM ${table.name} WHERE substr(${table.owner}, 1, 4) = ? ${past} ORDER BY ${keys} LIMIT ${PAGE}`,
      )
      .bind(bucketPrefix(bucket), ...(after ?? []))
      .all<Row>();
    if (results.length === 0) return;
    yield results;
    const last = results.at(-1) as Row;
    after = table.key.map((k) => last[k]);
    if (results.length < PAGE) return;
  }
}

/** Step 1 (`copy`) or 4 (`catch-up`): the bucket's rows from `from` onto `to`. Answers the rows read, per table. */
export async function copyBucket(
  from: D1Database,
  to: D1Database,
  bucket: number,
  mode: "copy" | "catch-up",
): Promise<BucketCounts> {
  const counts: BucketCounts = { users: 0, sessions: 0, blocks: 0 };
  // Before the switch the target's blocks of the bucket are only a copy: made again whole, unblocks included.
  if (mode === "copy") {
    await to.prepare("DELETE FROM blocks WHERE substr(blocker, 1, 4) = ?").bind(bucketPrefix(bucket)).run();
  }
  // Accounts first: sessions refer to them.
  for (const table of TABLES) {
    for await (const page of rowsOf(from, table, bucket)) {
      const statements = page.map((row) => {
        const columns = Object.keys(row);
        const rule = mode === "copy" ? table.onConflict.copy : table.onConflict.catchUp;
        const conflict = rule === "all" ? `DO UPDATE SET ${SET_ALL(columns, table.key)}` : rule;
        return to
          .prepare(
            `INSERT INTO ${table.name} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})
             ON CONFLICT(${table.key.join(", ")}) ${conflict}`,
          )
          .bind(...columns.map((c) => row[c]));
      });
      await to.batch(statements);
      counts[table.name] += page.length;
    }
  }
  return counts;
}

export interface BucketCheck {
  /** Rows of the bucket on the source, per table. */
  source: BucketCounts;
  /** Source rows missing on the target, or different there (beyond what a catch-up merges), per table. */
  differing: BucketCounts;
}

/** Steps 2 and 5: every source row of the bucket is on the target, the same (a session: as revoked, as recent). */
export async function verifyBucket(from: D1Database, to: D1Database, bucket: number): Promise<BucketCheck> {
  const check: BucketCheck = {
    source: { users: 0, sessions: 0, blocks: 0 },
    differing: { users: 0, sessions: 0, blocks: 0 },
  };
  for (const table of TABLES) {
    for await (const page of rowsOf(from, table, bucket)) {
      check.source[table.name] += page.length;
      const id = (row: Row) => JSON.stringify(table.key.map((k) => row[k]));
      const there = new Map<string, Row>();
      const keyList = table.key.join(", ");
      const { results } = await to
        .prepare(
          `SELECT * FROM ${table.name} WHERE (${keyList}) IN (SELECT ${table.key
            .map((_, i) => `value ->> ${i}`)
            .join(", ")} FROM json_each(?))`,
        )
        .bind(JSON.stringify(page.map((row) => table.key.map((k) => row[k]))))
        .all<Row>();
      for (const row of results) there.set(id(row), row);
      for (const row of page) {
        const copy = there.get(id(row));
        if (!copy || !same(table, row, copy)) check.differing[table.name] += 1;
      }
    }
  }
  return check;
}

function same(table: Table, source: Row, target: Row): boolean {
  for (const [column, value] of Object.entries(source)) {
    if (target[column] === value) continue;
    if (table.name !== "sessions") return false;
    // What a catch-up merges: the target may be revoked, or used, later than the source says. A session
    // revoked on both sides (the source's limit before the switch, the target's after) is revoked: the
    // catch-up keeps the target's time.
    if (column === "revoked_at" && (value === null || target[column] !== null)) continue;
    if (column === "last_active_at" && (value === null || (target[column] as number) >= (value as number))) continue;
    return false;
  }
  return true;
}

/** Step 6: deletes the bucket's rows from the database it left. Answers the rows deleted, per table. */
export async function removeBucket(from: D1Database, bucket: number): Promise<BucketCounts> {
  const prefix = bucketPrefix(bucket);
  // Sessions and blocks before the accounts they refer to.
  const [sessions, blocks, users] = await from.batch([
    from.prepare("DELETE FROM sessions WHERE substr(user_id, 1, 4) = ?").bind(prefix),
    from.prepare("DELETE FROM blocks WHERE substr(blocker, 1, 4) = ?").bind(prefix),
    from.prepare("DELETE FROM users WHERE substr(id, 1, 4) = ?").bind(prefix),
  ]);
  return {
    users: users?.meta.changes ?? 0,
    sessions: sessions?.meta.changes ?? 0,
    blocks: blocks?.meta.changes ?? 0,
  };
}
