// What the search index costs, read from the reader's own Durable Object
// database file after the server stopped (wrangler dev keeps one SQLite file
// per object under <state>/v3/do/<script>-UserObject/):
// - storage: the pages of the FTS5 tables (dbstat) against the messages';
// - time: the same rows inserted into a copy of the schema with and without
//   the index (Node's SQLite, same FTS5 code as workerd's), and the one-off
//   backfill (`rebuild`) that the index's schema step runs on an existing mailbox.

import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type EngineFigures, measureEngine, type QuerySpec } from "./engine";

interface Row {
  seq: number;
  id: string;
  chat: string;
  sender: string;
  text: string;
  ts: number;
  client_id: string | null;
  system: string | null;
}

export interface StorageFigures {
  file: string;
  sqliteVersion: string;
  messages: number;
  textBytesPerMessage: number;
  messageBytesPerMessage: number;
  indexBytesPerMessage: number;
  plainInsertMs: number;
  indexedInsertMs: number;
  indexUsPerMessage: number;
  backfillMs: number;
  engine: EngineFigures[];
}

/** The UserObject database holding the most messages: the reader's, who has every one. */
export function findReaderDatabase(stateDir: string): string {
  const dir = path.join(stateDir, "v3/do");
  const objects = readdirSync(dir).find((name) => name.endsWith("-UserObject"));
  if (!objects) throw new Error(`no UserObject state under ${dir}`);
  const scratch = mkdtempSync(path.join(tmpdir(), "search-find-"));
  try {
    let best = { file: "", messages: -1 };
    for (const name of readdirSync(path.join(dir, objects))) {
      if (!name.endsWith(".sqlite") || name === "metadata.sqlite") continue;
      const file = path.join(dir, objects, name);
      const messages = countMessages(file, path.join(scratch, name));
      if (messages > best.messages) best = { file, messages };
    }
    return best.file;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Copies a database with its write-ahead log (never opening the server's own files) and counts its messages. */
function countMessages(file: string, copy: string): number {
  copyFileSync(file, copy);
  if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
  const db = new DatabaseSync(copy);
  try {
    return Number((db.prepare("SELECT count(*) AS n FROM messages").get() as { n: number }).n);
  } catch {
    return 0; // an object without a mailbox
  } finally {
    db.close();
  }
}

function pages(db: DatabaseSync, where: string): number {
  return Number(
    (db.prepare(`SELECT coalesce(sum(pgsize), 0) AS b FROM dbstat WHERE ${where}`).get() as { b: number }).b,
  );
}

export function measureStorage(file: string, specs: QuerySpec[], runs: number): StorageFigures {
  const scratch = mkdtempSync(path.join(tmpdir(), "search-bench-"));
  try {
    return measureCopy(file, scratch, specs, runs);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function measureCopy(file: string, scratch: string, specs: QuerySpec[], runs: number): StorageFigures {
  // A copy, with its write-ahead log, so nothing here can touch the server's state.
  const copy = path.join(scratch, "reader.sqlite");
  copyFileSync(file, copy);
  if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
  const db = new DatabaseSync(copy);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const rows = db.prepare("SELECT * FROM messages ORDER BY seq").all() as unknown as Row[];
  const n = rows.length;
  const schema = (where: string) =>
    (db.prepare(`SELECT sql FROM sqlite_master WHERE ${where} AND sql IS NOT NULL`).all() as { sql: string }[]).map(
      (r) => r.sql,
    );
  const messageDdl = schema("type IN ('table', 'index') AND tbl_name = 'messages'");
  const indexDdl = [...schema("name = 'messages_fts'"), ...schema("type = 'trigger' AND tbl_name = 'messages'")];
  const figures = {
    sqliteVersion: String((db.prepare("SELECT sqlite_version() AS v").get() as { v: string }).v),
    textBytes: rows.reduce((sum, r) => sum + Buffer.byteLength(r.text), 0),
    messageBytes: pages(
      db,
      "name = 'messages' OR name LIKE 'messages_by%' OR name LIKE 'messages_unread%' OR name LIKE 'sqlite_autoindex_messages%'",
    ),
    indexBytes: pages(db, "name LIKE 'messages_fts%'"),
  };
  const engine = measureEngine(db, specs, runs);
  db.close();

  const plain = timeInserts(path.join(scratch, "plain.sqlite"), messageDdl, rows);
  const indexed = timeInserts(path.join(scratch, "indexed.sqlite"), [...messageDdl, ...indexDdl], rows);
  return {
    file,
    sqliteVersion: figures.sqliteVersion,
    messages: n,
    textBytesPerMessage: figures.textBytes / n,
    messageBytesPerMessage: figures.messageBytes / n,
    indexBytesPerMessage: figures.indexBytes / n,
    plainInsertMs: plain,
    indexedInsertMs: indexed,
    indexUsPerMessage: ((indexed - plain) * 1000) / n,
    backfillMs: timeBackfill(path.join(scratch, "plain.sqlite"), indexDdl),
    engine,
  };
}

/** The index's schema step on a mailbox that already holds the rows: create the index, then `rebuild`. */
function timeBackfill(file: string, indexDdl: string[]): number {
  const db = new DatabaseSync(file);
  const started = performance.now();
  db.exec("BEGIN");
  for (const sql of indexDdl) db.exec(sql);
  db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')");
  db.exec("COMMIT");
  const ms = performance.now() - started;
  db.close();
  return ms;
}

/** Inserts the rows in transactions of 100 (about an outbox batch); returns the milliseconds. */
function timeInserts(file: string, ddl: string[], rows: Row[]): number {
  const db = new DatabaseSync(file);
  db.exec("PRAGMA journal_mode = WAL");
  for (const sql of ddl) db.exec(sql);
  const insert = db.prepare(
    "INSERT INTO messages (seq, id, chat, sender, text, ts, client_id, system) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const started = performance.now();
  for (let i = 0; i < rows.length; i += 100) {
    db.exec("BEGIN");
    for (const r of rows.slice(i, i + 100)) {
      insert.run(r.seq, r.id, r.chat, r.sender, r.text, r.ts, r.client_id, r.system);
    }
    db.exec("COMMIT");
  }
  const ms = performance.now() - started;
  db.close();
  return ms;
}
