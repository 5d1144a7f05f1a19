// The choice of FTS5 prefix indexes, measured: for each option, the reader's
// mailbox (a copy) is indexed again with it, and the same queries are timed.
// A prefix index answers `"ab"*` from one stored list instead of merging the
// lists of every word that starts with "ab", at the cost of storing more.

import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type EngineFigures, measureEngine, type QuerySpec } from "./engine";

export const PREFIX_OPTIONS = ["", "2", "1 2", "1 2 3"] as const;

export interface VariantFigures {
  prefix: string;
  indexBytesPerMessage: number;
  rebuildMs: number;
  engine: EngineFigures[];
}

export function measureVariants(file: string, specs: QuerySpec[], runs: number): VariantFigures[] {
  const scratch = mkdtempSync(path.join(tmpdir(), "search-variants-"));
  try {
    return PREFIX_OPTIONS.map((prefix) => {
      const copy = path.join(scratch, "variant.sqlite");
      rmSync(copy, { force: true });
      rmSync(`${copy}-wal`, { force: true });
      copyFileSync(file, copy);
      if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
      const db = new DatabaseSync(copy);
      try {
        const ddl = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'messages_fts'").get() as { sql: string };
        db.exec("DROP TABLE messages_fts");
        const sql = ddl.sql.replace(/,\s*prefix='[^']*'/, "").replace(/\)\s*$/, prefix ? `, prefix='${prefix}')` : ")");
        const started = performance.now();
        db.exec(sql);
        db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')");
        const rebuildMs = performance.now() - started;
        const count = Number((db.prepare("SELECT count(*) AS n FROM messages").get() as { n: number }).n);
        const bytes = db.prepare("SELECT sum(pgsize) AS b FROM dbstat WHERE name LIKE 'messages_fts%'").get() as {
          b: number;
        };
        return {
          prefix,
          indexBytesPerMessage: Number(bytes.b) / count,
          rebuildMs,
          engine: measureEngine(db, specs, runs),
        };
      } finally {
        db.close();
      }
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function variantsTable(variants: VariantFigures[]): string {
  const names = variants[0]?.engine.map((e) => e.name) ?? [];
  const label = (prefix: string) => (prefix ? `prefix='${prefix}'` : "no prefix index");
  return [
    `| SQLite p50 ms (p99) | ${variants.map((v) => label(v.prefix)).join(" | ")} |`,
    `|---|${variants.map(() => "---:").join("|")}|`,
    `| index bytes per message | ${variants.map((v) => v.indexBytesPerMessage.toFixed(0)).join(" | ")} |`,
    `| backfill of the mailbox, s | ${variants.map((v) => (v.rebuildMs / 1000).toFixed(2)).join(" | ")} |`,
    ...names.map(
      (name, i) =>
        `| ${name} | ${variants
          .map((v) => {
            const e = v.engine[i];
            return e ? `${e.p50.toFixed(2)} (${e.p99.toFixed(1)})` : "-";
          })
          .join(" | ")} |`,
    ),
  ].join("\n");
}
