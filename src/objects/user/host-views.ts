// The host's own version of a hosted row its blocked guest changed
// (docs/one-copy-per-chat.md, "Blocking in a hosted chat, as built"). The
// chat's one row holds what the guest sees; while the host blocks the guest,
// the guest's edits and reactions must not show to the host (docs/protocol.md,
// "Blocking"), as today's two copies drop them on arrival. So the first
// blocked edit (or reaction) of a row the host sees saves the text (or the
// guest's reaction) as the host last saw it, and every read of the host's own
// (the Mailbox's `toMessage`) lays it over the row; the guest's reads
// (./hosted-reads.ts) build their messages apart and never do. A change the
// host sees again (the guest's, once unblocked) drops the part it replaces; a
// delete for everyone drops the row.

import type { Message } from "../../shared/protocol";

interface ViewRow {
  text: string | null;
  edited_at: number | null;
  reaction: string | null;
  [key: string]: SqlStorageValue;
}

export class HostViews {
  /** Whether any row may exist (one look per wake): reads skip the lookup until one does. */
  private mayHold: boolean | null = null;

  constructor(private readonly sql: SqlStorage) {}

  private holds(): boolean {
    this.mayHold ??= this.sql.exec("SELECT 1 FROM host_views LIMIT 1").toArray().length > 0;
    return this.mayHold;
  }

  /** Before a blocked guest's edit: the text the host sees, unless an earlier blocked edit saved it. */
  keepText(id: string, text: string, editedAt: number | null): void {
    this.sql.exec(
      `INSERT INTO host_views (id, text, edited_at) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET text = excluded.text, edited_at = excluded.edited_at WHERE host_views.text IS NULL`,
      id,
      text,
      editedAt,
    );
    this.mayHold = true;
  }

  /** Before a blocked guest's reaction: its reaction as the host sees it ('' for none), unless saved already. */
  keepReaction(id: string, guest: string): void {
    const emoji =
      this.sql
        .exec<{ emoji: string }>("SELECT emoji FROM reactions WHERE target = ? AND user_id = ?", id, guest)
        .toArray()[0]?.emoji ?? "";
    this.sql.exec(
      `INSERT INTO host_views (id, reaction) VALUES (?, ?)
       ON CONFLICT (id) DO UPDATE SET reaction = excluded.reaction WHERE host_views.reaction IS NULL`,
      id,
      emoji,
    );
    this.mayHold = true;
  }

  /** A change the host sees: the saved part it replaces goes (the row with it, once nothing is left). */
  drop(id: string, part: "text" | "reaction" | "all"): void {
    if (!this.holds()) return;
    if (part !== "all") {
      const other = part === "text" ? "reaction" : "text";
      const cleared = part === "text" ? "text = NULL, edited_at = NULL" : "reaction = NULL";
      this.sql.exec(`UPDATE host_views SET ${cleared} WHERE id = ? AND ${other} IS NOT NULL`, id);
    }
    const other = part === "text" ? " AND reaction IS NULL" : part === "reaction" ? " AND text IS NULL" : "";
    this.sql.exec(`DELETE FROM host_views WHERE id = ?${other}`, id);
  }

  /** Whether the host sees a text of its own for `id`, not the row's: the row's text is not the host's to search. */
  keepsText(id: string): boolean {
    if (!this.holds()) return false;
    return this.sql.exec("SELECT 1 FROM host_views WHERE id = ? AND text IS NOT NULL", id).toArray().length > 0;
  }

  /** The message as the host sees it: its saved text and the guest's saved reaction, if any. */
  overlay(message: Message): Message {
    if (!this.holds() || message.deletedAt !== undefined) return message;
    const row = this.sql
      .exec<ViewRow>("SELECT text, edited_at, reaction FROM host_views WHERE id = ?", message.id)
      .toArray()[0];
    if (!row) return message;
    const seen: Message = { ...message };
    if (row.text !== null) {
      seen.text = row.text;
      if (row.edited_at === null) delete seen.editedAt;
      else seen.editedAt = row.edited_at;
    }
    if (row.reaction !== null && message.system === undefined) {
      const guest = message.chat.slice(2);
      const others = (message.reactions ?? []).filter((r) => r.from !== guest);
      const reactions = row.reaction === "" ? others : [...others, { from: guest, emoji: row.reaction }];
      if (reactions.length > 0) seen.reactions = reactions;
      else delete seen.reactions;
    }
    return seen;
  }
}
