// The outbox's table (./outbox.ts): its schema, the shape of a row held in
// memory, and the reads of what is stored.

import type { InboxItem } from "../inbox";

export const OUTBOX_TABLE = `CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  target TEXT NOT NULL,
  item TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL
)`;
export const OUTBOX_INDEX = "CREATE INDEX outbox_by_target ON outbox(target, id)";

/** Rows a delivery carries at most. */
export const BATCH = 200;

export interface Row {
  id: number;
  item: InboxItem;
  /** When it was written (its safety net is due OUTBOX_SAFETY_MS later); 0 when read from storage. */
  at: number;
}

/** No row at all, confirmed or not. */
export function isEmpty(sql: SqlStorage): boolean {
  return sql.exec("SELECT 1 FROM outbox LIMIT 1").toArray().length === 0;
}

/** The next BATCH rows of a target after row `after`, oldest first, as stored. */
export function storedAfter(sql: SqlStorage, target: string, after: number) {
  return sql
    .exec<{ id: number; item: string; attempts: number; next_at: number }>(
      "SELECT id, item, attempts, next_at FROM outbox WHERE target = ? AND id > ? ORDER BY id LIMIT ?",
      target,
      after,
      BATCH,
    )
    .toArray();
}
