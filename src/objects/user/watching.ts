// Whose presence this user's devices watch (the watcher side of a
// subscription): one row per (watched user, subscribing socket), with what
// that socket was last told, so a push that brings no news (or older news) is
// not sent again. Rows go with their socket; rows of sockets that died unseen
// (a crash) are dropped the first time they are looked at.

import type { Presence } from "../../shared/protocol";
import type { PresenceView } from "./presence";

export const WATCHING_TABLE = `CREATE TABLE watching (
  user TEXT NOT NULL,
  socket TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  online INTEGER,
  last_seen INTEGER,
  at INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (user, socket)
)`;
export const WATCHING_INDEX = "CREATE INDEX watching_by_socket ON watching(socket)";

interface Row {
  socket: string;
  online: number | null;
  last_seen: number | null;
  at: number;
  [key: string]: SqlStorageValue;
}

export class Watching {
  constructor(private readonly sql: SqlStorage) {}

  /** How many users a socket watches. */
  countFor(socket: string): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM watching WHERE socket = ?", socket).one().n;
  }

  has(user: string, socket: string): boolean {
    return this.sql.exec("SELECT 1 FROM watching WHERE user = ? AND socket = ?", user, socket).toArray().length > 0;
  }

  /** What a socket was last told about a user, or null if nothing yet. */
  told(user: string, socket: string): Presence | null {
    const row = this.sql
      .exec<Row>("SELECT socket, online, last_seen, at FROM watching WHERE user = ? AND socket = ?", user, socket)
      .toArray()[0];
    return row && row.online !== null ? { online: row.online === 1, lastSeen: row.last_seen } : null;
  }

  add(user: string, socket: string, expiresAt: number): void {
    this.sql.exec(
      `INSERT INTO watching (user, socket, expires_at) VALUES (?, ?, ?)
       ON CONFLICT(user, socket) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)`,
      user,
      socket,
      expiresAt,
    );
  }

  remove(user: string, socket: string): void {
    this.sql.exec("DELETE FROM watching WHERE user = ? AND socket = ?", user, socket);
  }

  /** The watched side granted a subscription until `expiresAt`. */
  renewed(user: string, expiresAt: number): void {
    this.sql.exec("UPDATE watching SET expires_at = ? WHERE user = ?", expiresAt, user);
  }

  /**
   * A view of `user` arrived. Returns the live sockets watching that user, and
   * of those the ones to tell: where it is news (or `force`, the socket that
   * just subscribed and must be answered). Rows of dead sockets are deleted.
   */
  offer(user: string, view: PresenceView, live: Set<string>, force?: string): { watchers: number; tell: string[] } {
    const rows = this.sql
      .exec<Row>("SELECT socket, online, last_seen, at FROM watching WHERE user = ?", user)
      .toArray();
    const tell: string[] = [];
    let watchers = 0;
    for (const row of rows) {
      if (!live.has(row.socket)) {
        this.remove(user, row.socket);
        continue;
      }
      watchers += 1;
      if (view.at < row.at) continue; // older than what this socket already has
      const online = view.online ? 1 : 0;
      const news = row.online !== online || (!view.online && row.last_seen !== view.lastSeen);
      this.sql.exec(
        "UPDATE watching SET online = ?, last_seen = ?, at = ? WHERE user = ? AND socket = ?",
        online,
        view.lastSeen,
        view.at,
        user,
        row.socket,
      );
      if (news || row.socket === force) tell.push(row.socket);
    }
    return { watchers, tell };
  }

  /** Users whose subscription expires before `before`, among live sockets' rows; dead rows are deleted. */
  dueForRenewal(before: number, live: Set<string>): string[] {
    this.dropDead(live);
    return this.sql
      .exec<{ user: string }>("SELECT DISTINCT user FROM watching WHERE expires_at < ?", before)
      .toArray()
      .map((row) => row.user);
  }

  /** The earliest expiry among the rows, or null. */
  earliestExpiry(): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT min(expires_at) AS at FROM watching").one().at;
  }

  dropSocket(socket: string): void {
    this.sql.exec("DELETE FROM watching WHERE socket = ?", socket);
  }

  /** Deletes the rows of every socket not in `live`. */
  dropDead(live: Set<string>): void {
    const sockets = this.sql.exec<{ socket: string }>("SELECT DISTINCT socket FROM watching").toArray();
    for (const { socket } of sockets) if (!live.has(socket)) this.dropSocket(socket);
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM watching").one().n;
  }
}
