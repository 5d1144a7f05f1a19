// The users this user blocked, in its own object: every one-to-one delivery
// passes here (UserObject.accept), so the check is one local lookup.
//
// A blocked user's one-to-one messages and edits are dropped on arrival,
// silently: its own object answered `sent`, and it never gets a delivered
// receipt, so on its side they stay on one tick, as in WhatsApp, and nothing
// tells it that it was blocked. Dropped ids are remembered, so a later edit
// of one changes nothing, and unblocking does not bring them back. Deletes
// for everyone still pass (they only take text away); groups are unaffected.

import { AppError } from "../../shared/errors";
import { BLOCKED_MAX } from "../../shared/limits";
import type { InboxItem } from "../inbox";
import type { MessageChanges } from "./changes";

export class Blocks {
  constructor(private readonly sql: SqlStorage) {}

  has(userId: string): boolean {
    return this.sql.exec("SELECT 1 FROM blocked WHERE user_id = ?", userId).toArray().length > 0;
  }

  /** Idempotent: blocking again keeps the first time. */
  add(userId: string, now: number): void {
    if (this.has(userId)) return;
    const count = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM blocked").one().n;
    if (count >= BLOCKED_MAX) throw new AppError("too_many_blocked", `at most ${BLOCKED_MAX} users can be blocked`);
    this.sql.exec("INSERT INTO blocked (user_id, since) VALUES (?, ?)", userId, now);
  }

  remove(userId: string): void {
    this.sql.exec("DELETE FROM blocked WHERE user_id = ?", userId);
  }

  list(): { id: string; since: number }[] {
    return this.sql
      .exec<{ user_id: string; since: number }>("SELECT user_id, since FROM blocked ORDER BY since, user_id")
      .toArray()
      .map((row) => ({ id: row.user_id, since: row.since }));
  }

  /** The items a delivery may store: one-to-one messages and edits from blocked users are dropped. */
  filter(items: InboxItem[], owner: string, changes: MessageChanges): InboxItem[] {
    return items.filter((item) => {
      if (item.kind === "receipt" || !item.chat.startsWith("u:") || item.from === owner) return true;
      if (item.kind === "change" && item.deletedAt !== undefined) return true;
      if (!this.has(item.from)) return true;
      if (item.kind === "message") changes.remember(item.id);
      return false;
    });
  }
}
