// Versioned schema steps for a Durable Object's own SQLite. Each object runs
// `migrate` in its constructor; steps already applied are skipped, so an object
// created under an older version of the code upgrades in place on first wake.
// docs/operations.md says how to write a step.

export type SchemaStep = (sql: SqlStorage) => void;

type Storage = Pick<DurableObjectStorage, "sql" | "transactionSync">;

/**
 * Brings the schema up to `steps.length` and returns the version it is at.
 * Given the object's storage (not just its `sql`), each step commits together
 * with its version number or not at all, so a step that throws leaves no
 * half-made tables behind and runs again, whole, on the next wake.
 * An object already ahead of `steps` (the code was rolled back) is left as it
 * is: steps are additive, so older code still works on a newer schema.
 */
export function migrate(target: SqlStorage | Storage, steps: readonly SchemaStep[]): number {
  const sql = "exec" in target ? target : target.sql;
  const atomically = "exec" in target ? (fn: () => void) => fn() : (fn: () => void) => target.transactionSync(fn);
  sql.exec("CREATE TABLE IF NOT EXISTS _schema (version INTEGER NOT NULL)");
  const row = sql.exec<{ version: number }>("SELECT version FROM _schema").toArray()[0];
  let version = row?.version ?? 0;
  if (!row) sql.exec("INSERT INTO _schema (version) VALUES (0)");
  if (version > steps.length) {
    console.warn(JSON.stringify({ event: "schema_ahead", version, known: steps.length }));
  }
  for (; version < steps.length; version++) {
    const step = steps[version];
    const next = version + 1;
    atomically(() => {
      step?.(sql);
      sql.exec("UPDATE _schema SET version = ?", next);
    });
  }
  return version;
}
