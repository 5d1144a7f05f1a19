// Who watches this user's presence (the watched side of a subscription): one
// row per watching user, with an expiry. The watcher's object renews it while
// the subscribing device stays connected; an expired row is ignored and pruned,
// and a watcher that answers "not interested" is removed, so nothing piles up.
// Presence is ephemeral: losing these rows in a crash only means watchers miss
// changes until their next renewal, which brings them the current state.

export const WATCHERS_TABLE = `CREATE TABLE watchers (
  watcher TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
)`;
export const WATCHERS_INDEX = "CREATE INDEX watchers_by_expiry ON watchers(expires_at)";

export class Watchers {
  constructor(private readonly sql: SqlStorage) {}

  /** Adds or renews a watcher; returns its expiry. */
  add(watcher: string, now: number, ttl: number): number {
    this.prune(now);
    const expiresAt = now + ttl;
    this.sql.exec(
      `INSERT INTO watchers (watcher, expires_at) VALUES (?, ?)
       ON CONFLICT(watcher) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)`,
      watcher,
      expiresAt,
    );
    return expiresAt;
  }

  /** The watchers whose subscription has not expired; expired ones are deleted. */
  active(now: number): string[] {
    this.prune(now);
    return this.sql
      .exec<{ watcher: string }>("SELECT watcher FROM watchers")
      .toArray()
      .map((row) => row.watcher);
  }

  remove(watcher: string): void {
    this.sql.exec("DELETE FROM watchers WHERE watcher = ?", watcher);
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM watchers").one().n;
  }

  private prune(now: number): void {
    this.sql.exec("DELETE FROM watchers WHERE expires_at <= ?", now);
  }
}
