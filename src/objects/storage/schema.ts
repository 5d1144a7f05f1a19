// Versioned schema steps for a Durable Object's own SQLite. Each object runs
// `migrate` in its constructor; steps already applied are skipped, so an object
// created under an older version of the code upgrades in place on first wake.

export type SchemaStep = (sql: SqlStorage) => void;

export function migrate(sql: SqlStorage, steps: readonly SchemaStep[]): number {
  sql.exec("CREATE TABLE IF NOT EXISTS _schema (version INTEGER NOT NULL)");
  const row = sql.exec<{ version: number }>("SELECT version FROM _schema").toArray()[0];
  let version = row?.version ?? 0;
  if (!row) sql.exec("INSERT INTO _schema (version) VALUES (0)");
  for (; version < steps.length; version++) {
    steps[version]?.(sql);
    sql.exec("UPDATE _schema SET version = ?", version + 1);
  }
  return version;
}
