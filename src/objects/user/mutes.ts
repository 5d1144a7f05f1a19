// Muted chats, per user, in the user's object, so every device of the user
// sees the same (GET /api/chats carries `mutedUntil`; PUT
// /api/chats/:chat/mute sets it). One row per muted chat: `until` a time in
// ms, or NULL for "always". A mute that ran out is no longer listed and its
// row goes with the next change. The table is user schema step 9, a step of
// its own (MUTES_TABLE).

import { AppError } from "../../shared/errors";
import type { MuteState } from "../../shared/mute";
import type { ChatId, MutedUntil } from "../../shared/protocol";

export const MUTES_TABLE = "CREATE TABLE chat_mutes (chat TEXT PRIMARY KEY, until INTEGER) WITHOUT ROWID";

export class ChatMutes {
  constructor(private readonly sql: SqlStorage) {}

  /** Mutes (a time or "always") or unmutes (null) a chat. */
  set(chat: ChatId, until: MutedUntil | null, now: number): void {
    this.sql.exec("DELETE FROM chat_mutes WHERE until IS NOT NULL AND until <= ?", now);
    if (until === null) this.sql.exec("DELETE FROM chat_mutes WHERE chat = ?", chat);
    else {
      this.sql.exec(
        "INSERT INTO chat_mutes (chat, until) VALUES (?, ?) ON CONFLICT (chat) DO UPDATE SET until = excluded.until",
        chat,
        until === "always" ? null : until,
      );
    }
  }

  /** The chat's mute now, null when it is not muted. */
  get(chat: ChatId, now: number): MutedUntil | null {
    const row = this.sql
      .exec<{ until: number | null }>("SELECT until FROM chat_mutes WHERE chat = ?", chat)
      .toArray()[0];
    if (!row) return null;
    if (row.until === null) return "always";
    return row.until > now ? row.until : null;
  }

  /** Every chat muted now. */
  all(now: number): Map<ChatId, MutedUntil> {
    const muted = new Map<ChatId, MutedUntil>();
    for (const row of this.sql.exec<{ chat: string; until: number | null }>(
      "SELECT chat, until FROM chat_mutes WHERE until IS NULL OR until > ?",
      now,
    )) {
      muted.set(row.chat as ChatId, row.until === null ? "always" : row.until);
    }
    return muted;
  }
}

/**
 * PUT /api/chats/:chat/mute in the caller's object: a group only for one who
 * is or was in it (403 not_member otherwise, the same answer as for an
 * unknown group), a one-to-one chat only with a user who exists (404
 * unknown_user). A refusal stores nothing.
 */
export async function muteChat(
  mutes: ChatMutes,
  chat: ChatId,
  until: MutedUntil | null,
  checks: { groupReader: (groupId: string) => Promise<void>; userExists: (userId: string) => Promise<boolean> },
): Promise<MuteState> {
  const id = chat.slice(2);
  if (chat.startsWith("g:")) await checks.groupReader(id);
  else if (!(await checks.userExists(id))) throw new AppError("unknown_user", "no such user");
  const now = Date.now();
  mutes.set(chat, until, now);
  return { chat, mutedUntil: mutes.get(chat, now) };
}
