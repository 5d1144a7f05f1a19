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
  /**
   * The blocked ids, read once per wake (at most BLOCKED_MAX of them): every
   * message asks, and every change of the table goes through this class.
   */
  private ids: Set<string> | null = null;

  constructor(private readonly sql: SqlStorage) {}

  has(userId: string): boolean {
    return this.blocked().has(userId);
  }

  /** Idempotent: blocking again keeps the first time. */
  add(userId: string, now: number): void {
    const ids = this.blocked();
    if (ids.has(userId)) return;
    if (ids.size >= BLOCKED_MAX) throw new AppError("too_many_blocked", `at most ${BLOCKED_MAX} users can be blocked`);
    this.sql.exec("INSERT INTO blocked (user_id, since) VALUES (?, ?)", userId, now);
    ids.add(userId);
  }

  remove(userId: string): void {
    this.sql.exec("DELETE FROM blocked WHERE user_id = ?", userId);
    this.blocked().delete(userId);
  }

  private blocked(): Set<string> {
    this.ids ??= new Set(
      this.sql
        .exec<{ user_id: string }>("SELECT user_id FROM blocked")
        .toArray()
        .map((row) => row.user_id),
    );
    return this.ids;
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
      if (item.kind === "receipt" || item.kind === "receipts") return true;
      if (!item.chat.startsWith("u:") || item.from === owner) return true;
      if (item.kind === "change" && item.deletedAt !== undefined) return true;
      if (!this.has(item.from)) return true;
      if (item.kind === "message") changes.remember(item.id);
      return false;
    });
  }
}
