// Reactions to a group's messages: one row per person who reacted to a
// message (keyed by the message's log position), replaced in place when they
// react again and deleted when they take it back. Not one row per member: the
// change entry the log appends for it (./changes.ts) is what reaches the
// members, as the message's state now, reactions included. docs/actions.md.

import type { Reaction } from "../../shared/protocol";

export class GroupReactions {
  /** Whether any row may exist (looked up once per wake): most groups' messages are read without a lookup each. */
  private mayHold: boolean | null = null;

  constructor(private readonly sql: SqlStorage) {}

  /** Sets (emoji) or removes (null) `user`'s reaction to the message at `pos`; `at` is the change entry's id. */
  set(pos: number, user: string, emoji: string | null, at: string): void {
    if (emoji === null) {
      this.sql.exec("DELETE FROM reactions WHERE pos = ? AND user_id = ?", pos, user);
      return;
    }
    this.sql.exec(
      `INSERT INTO reactions (pos, user_id, emoji, at) VALUES (?, ?, ?, ?)
       ON CONFLICT (pos, user_id) DO UPDATE SET emoji = excluded.emoji, at = excluded.at`,
      pos,
      user,
      emoji,
      at,
    );
    this.mayHold = true;
  }

  /** The reactions to the message at `pos`, oldest first. */
  of(pos: number): Reaction[] {
    this.mayHold ??= this.sql.exec("SELECT 1 FROM reactions LIMIT 1").toArray().length > 0;
    if (!this.mayHold) return [];
    return this.sql
      .exec<{ user_id: string; emoji: string }>("SELECT user_id, emoji FROM reactions WHERE pos = ? ORDER BY at", pos)
      .toArray()
      .map((row) => ({ from: row.user_id, emoji: row.emoji }));
  }
}
