// A small key/value table inside an object's SQLite, for counters and the
// id clock. Read once into memory, written through on every change, so that
// a value and the rows it counts are committed by the same implicit transaction.

export const META_TABLE = "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)";

export class Meta {
  constructor(private readonly sql: SqlStorage) {}

  get(key: string): string | undefined {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value;
  }

  number(key: string, fallback = 0): number {
    const value = this.get(key);
    return value === undefined ? fallback : Number(value);
  }

  set(key: string, value: string | number): void {
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      key,
      String(value),
    );
  }

  /** Several values in one statement (each statement has a cost on the hot path). */
  setMany(entries: [string, string | number][]): void {
    if (entries.length === 0) return;
    this.sql.exec(
      `INSERT INTO meta (key, value) VALUES ${entries.map(() => "(?, ?)").join(", ")}
       ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      ...entries.flatMap(([key, value]) => [key, String(value)]),
    );
  }
}
