// Applies migrations/ to every account shard of the local state (DB_0, DB_1,
// ...: scripts/shards.mjs), in one process: `npm start` and the end-to-end
// server run it before `wrangler dev`. One `wrangler d1 migrations apply
// --local` per shard took about 8 s each on a busy machine, and two at once
// can meet SQLITE_BUSY; this starts the local runtime once (wrangler's
// getPlatformProxy, on the same state directory `wrangler dev --persist-to`
// uses) and records each migration in the same `d1_migrations` table as
// wrangler does, so `wrangler d1 migrations apply/list --local` agree with it.
//
//   node scripts/migrate-local.mjs [--persist-to DIR] [--env NAME]
//
// Prints one line per shard that needed something: "DB_1: 0001_accounts.sql, ...".

import path from "node:path";
import { readD1Migrations } from "@cloudflare/vitest-plugin";
import { getPlatformProxy } from "wrangler";
import { shardBindings } from "./shards.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");
const TABLE = "d1_migrations";

function flag(name) {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1];
    if (args[i]?.startsWith(`${name}=`)) return args[i].slice(name.length + 1);
  }
  return undefined;
}

const persistTo = flag("--persist-to") ?? path.join(ROOT, ".wrangler/state");
const environment = flag("--env");
const migrations = await readD1Migrations(path.join(ROOT, "migrations"));
const proxy = await getPlatformProxy({
  configPath: path.join(ROOT, "wrangler.toml"),
  environment,
  persist: { path: path.join(path.resolve(persistTo), "v3") },
  remoteBindings: false,
});
try {
  for (const shard of shardBindings()) {
    const db = proxy.env[shard];
    if (!db) throw new Error(`wrangler.toml has no D1 binding ${shard}`);
    await db
      .prepare(
        `CREATE TABLE IF NOT EXISTS ${TABLE} (
           id INTEGER PRIMARY KEY AUTOINCREMENT,
           name TEXT UNIQUE,
           applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)`,
      )
      .run();
    const { results } = await db.prepare(`SELECT name FROM ${TABLE}`).all();
    const done = new Set(results.map((row) => row.name));
    const applied = [];
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      // One batch is one transaction: the migration and its record, or neither.
      await db.batch([
        ...migration.queries.map((sql) => db.prepare(sql)),
        db.prepare(`INSERT INTO ${TABLE} (name) VALUES (?)`).bind(migration.name),
      ]);
      applied.push(migration.name);
    }
    if (applied.length > 0) console.log(`${shard}: ${applied.join(", ")}`);
  }
} finally {
  await proxy.dispose();
}
