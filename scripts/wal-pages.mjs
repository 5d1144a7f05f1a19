// Which tables the pages written to objects' WALs belong to, between two
// copies of a run's Durable Object files (docs/architecture.md, "Where the
// bytes go now"). Bytes on disk follow the distinct pages each commit
// changes, so this says what a message costs on disk, table by table.
//
// Usage (Node 22: `npx node`, or through npm's pinned node):
//   1. during a bench run, copy the object files twice, a few seconds apart:
//        cp /tmp/edge-chat-*/v3/do/*-UserObject/*.sqlite* /tmp/before/
//        cp /tmp/edge-chat-*/v3/do/*-UserObject/*.sqlite* /tmp/after/
//   2. node scripts/wal-pages.mjs /tmp/before /tmp/after
// Frames written between the two copies are counted (a WAL reset between
// them, new salts, counts from its start). Each frame's page is mapped to its
// table or index with SQLite's `dbstat`, on a copy of the later file.

import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";

const [before, after] = process.argv.slice(2);
if (!before || !after) {
  console.error("usage: node scripts/wal-pages.mjs <earlier copy dir> <later copy dir>");
  process.exit(2);
}

/** The WAL's valid frames (those with the header's salts), each as [page, is-commit]. */
function frames(file) {
  if (!existsSync(file)) return { salts: null, list: [] };
  const buf = readFileSync(file);
  if (buf.length < 32) return { salts: null, list: [] };
  const pageSize = buf.readUInt32BE(8);
  const salts = [buf.readUInt32BE(16), buf.readUInt32BE(20)];
  const list = [];
  for (let at = 32; at + 24 + pageSize <= buf.length; at += 24 + pageSize) {
    if (buf.readUInt32BE(at + 8) !== salts[0] || buf.readUInt32BE(at + 12) !== salts[1]) break;
    list.push([buf.readUInt32BE(at), buf.readUInt32BE(at + 4) !== 0]);
  }
  return { salts: salts.join(":"), list };
}

/** Page number → table or index name, from a copy of the database and its WAL. */
function owners(dbFile) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "wal-pages-"));
  try {
    copyFileSync(dbFile, path.join(dir, "db.sqlite"));
    if (existsSync(`${dbFile}-wal`)) copyFileSync(`${dbFile}-wal`, path.join(dir, "db.sqlite-wal"));
    const db = new DatabaseSync(path.join(dir, "db.sqlite"));
    const map = new Map(
      db
        .prepare("SELECT name, pageno FROM dbstat")
        .all()
        .map((r) => [r.pageno, r.name]),
    );
    db.close();
    return map;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const byTable = new Map();
let [objects, pages, commits] = [0, 0, 0];
for (const name of readdirSync(after).filter((f) => f.endsWith(".sqlite"))) {
  const later = frames(path.join(after, `${name}-wal`));
  const earlier = frames(path.join(before, `${name}-wal`));
  const skip = earlier.salts === later.salts ? earlier.list.length : 0;
  const written = later.list.slice(skip);
  if (written.length === 0) continue;
  const owner = owners(path.join(after, name));
  objects++;
  for (const [page, commit] of written) {
    const table = owner.get(page) ?? (page === 1 ? "(header page)" : "(free or new)");
    byTable.set(table, (byTable.get(table) ?? 0) + 1);
    pages++;
    if (commit) commits++;
  }
}
console.log(`${objects} objects wrote ${pages} pages in ${commits} commits (${(pages / commits).toFixed(2)} a commit)`);
for (const [table, n] of [...byTable].sort((a, b) => b[1] - a[1])) console.log(`${String(n).padStart(8)}  ${table}`);
