// Test helpers for an object's own SQLite.

/** Drops every table, view and virtual table of ours (not Cloudflare's `_cf_*`): an empty database. */
export function wipe(sql: SqlStorage): void {
  const ours = (kind: string) =>
    sql
      .exec<{ name: string; ddl: string | null }>(
        "SELECT name, sql AS ddl FROM sqlite_master WHERE type = ? AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
        kind,
      )
      .toArray();
  for (const view of ours("view")) sql.exec(`DROP VIEW "${view.name}"`);
  // Virtual tables first: dropping one drops its shadow tables with it.
  const tables = ours("table").sort((a, b) => Number(isVirtual(b.ddl)) - Number(isVirtual(a.ddl)));
  for (const table of tables) sql.exec(`DROP TABLE IF EXISTS "${table.name}"`);
}

function isVirtual(ddl: string | null): boolean {
  return /^CREATE VIRTUAL TABLE/i.test(ddl ?? "");
}

export function tableNames(sql: SqlStorage): string[] {
  return sql
    .exec<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )
    .toArray()
    .map((row) => row.name);
}
