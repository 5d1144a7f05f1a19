// Who is in the group, with their role and the log position they joined at.
// A member who leaves or is removed becomes a closed span (see schema.ts), so
// that it still receives what was sent while it was in, and nothing after.

import type { Role } from "../../shared/protocol";

export interface Member {
  id: string;
  role: Role;
  /** Log id of the entry that made them a member. */
  since: string;
}

export class Members {
  /** Member ids in joining order; the fan-out reads it on every post. */
  private cached: string[] | null = null;
  /** Each member's `since`, and who has undelivered spans: the fan-out asks per delivery (cleared on any change). */
  private sinces: Map<string, string> | null = null;
  private spanned: Set<string> | null = null;
  /** Who has a past window (past_members), in memory (see hasPast). */
  private past: Set<string> | null = null;

  constructor(private readonly sql: SqlStorage) {}

  /** Everyone, longest-standing first (those who joined together: in the order they were listed). */
  list(): Member[] {
    return this.sql
      .exec<{ user_id: string; role: string; since: string }>(
        "SELECT user_id, role, since FROM members ORDER BY since, rowid",
      )
      .toArray()
      .map((row) => ({ id: row.user_id, role: row.role as Role, since: row.since }));
  }

  ids(): string[] {
    this.cached ??= this.list().map((m) => m.id);
    return this.cached;
  }

  get(user: string): Member | null {
    const row = this.sql
      .exec<{ role: string; since: string }>("SELECT role, since FROM members WHERE user_id = ?", user)
      .toArray()[0];
    return row ? { id: user, role: row.role as Role, since: row.since } : null;
  }

  count(): number {
    return this.ids().length;
  }

  add(user: string, role: Role, since: string, now: number): void {
    this.sql.exec("INSERT INTO members (user_id, role, since, joined_at) VALUES (?, ?, ?, ?)", user, role, since, now);
    this.forget();
  }

  /** Ends a membership at log id `until` (the removed / left entry, which it still receives). */
  remove(member: Member, until: string): void {
    this.sql.exec("INSERT INTO spans (user_id, from_id, to_id) VALUES (?, ?, ?)", member.id, member.since, until);
    this.sql.exec(
      "INSERT OR IGNORE INTO past_members (user_id, from_id, to_id) VALUES (?, ?, ?)",
      member.id,
      member.since,
      until,
    );
    this.sql.exec("DELETE FROM members WHERE user_id = ?", member.id);
    this.forget();
  }

  private forget(): void {
    this.cached = null;
    this.sinces = null;
    this.spanned = null;
    this.past = null;
  }

  /** The log id a member now joined at (null: not a member now); from memory. */
  sinceOf(user: string): string | null {
    if (!this.sinces) {
      this.sinces = new Map();
      for (const row of this.sql.exec<{ user_id: string; since: string }>("SELECT user_id, since FROM members")) {
        this.sinces.set(row.user_id, row.since);
      }
    }
    return this.sinces.get(user) ?? null;
  }

  /** Whether `user` may have a span not yet delivered; from memory. */
  hasSpans(user: string): boolean {
    this.spanned ??= this.usersIn("spans");
    return this.spanned.has(user);
  }

  /** With no admin left, the longest-standing member becomes one. Returns who, if anyone. */
  ensureAdmin(): string | null {
    const admins = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM members WHERE role = 'admin'").one().n;
    if (admins > 0) return null;
    const eldest = this.list()[0];
    if (!eldest) return null;
    this.sql.exec("UPDATE members SET role = 'admin' WHERE user_id = ?", eldest.id);
    return eldest.id;
  }

  /** Spans wholly delivered (up to `acked`) are no longer needed. */
  dropSpansUpTo(user: string, acked: string): void {
    if (!this.hasSpans(user)) return; // the common case, once per delivery: no statement
    this.sql.exec("DELETE FROM spans WHERE user_id = ? AND to_id <= ?", user, acked);
    this.spanned = null;
  }

  /** Who was meant to receive log entry `id`: members now (longest-standing first), then those since gone. */
  readersOf(id: string): string[] {
    const now = this.sql
      .exec<{ user_id: string }>("SELECT user_id FROM members WHERE since <= ? ORDER BY since, rowid", id)
      .toArray();
    const gone = this.sql
      .exec<{ user_id: string }>(
        "SELECT user_id FROM past_members WHERE ? BETWEEN from_id AND to_id ORDER BY to_id, from_id",
        id,
      )
      .toArray();
    return [...new Set([...now, ...gone].map((row) => row.user_id))];
  }

  /** True if `user` has a past window (it was a member before, removed or left): its readable ids are not one range. */
  hasPast(user: string): boolean {
    this.past ??= this.usersIn("past_members");
    return this.past.has(user);
  }

  /** The users with a row in `table` (a name from this file, never input). */
  private usersIn(table: "spans" | "past_members"): Set<string> {
    const rows = this.sql.exec<{ user_id: string }>(`SELECT DISTINCT user_id FROM ${table}`).toArray();
    return new Set(rows.map((row) => row.user_id));
  }

  /** True if `user` is a member now or was one before (removed, left). */
  everMember(user: string): boolean {
    // Both from memory: every ack and read of a member asks.
    return this.sinceOf(user) !== null || this.hasPast(user);
  }

  /** True while `user` is a member or has a span not yet delivered. */
  owed(user: string): boolean {
    return this.sinceOf(user) !== null || this.hasSpans(user);
  }
}
