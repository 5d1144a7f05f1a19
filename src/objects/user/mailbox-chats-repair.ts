// After a crash, the one-to-one chat rows made again from the messages
// (./mailbox-chats.ts, "Crash safety"): run once a wake, by ChatRows'
// constructor, before any row waits in memory.

import { type ChatRow, CHAT_COLUMNS as COLUMNS, LEGACY_GROUP_SEQ_KEY } from "./chat-row";
import type { ChatRows } from "./mailbox-chats";

/**
 * A hosted chat's next position after a crash: after its newest message's
 * (ids follow positions in a hosted chat, so the (chat, id) index finds it
 * at once); null for a chat not hosted.
 */
function nextPosFound(sql: SqlStorage, row: ChatRow): number | null {
  if (row.hosted_from === null) return null;
  const newest = sql
    .exec<{ pos: number }>(
      "SELECT pos FROM messages WHERE chat = ? AND pos IS NOT NULL ORDER BY id DESC LIMIT 1",
      row.chat,
    )
    .toArray()[0]?.pos;
  return Math.max(row.next_pos ?? 1, newest === undefined ? 1 : newest + 1);
}

/** After a crash: the rows of chats whose messages came after the greatest `last_seq` stored, made again. */
export function repairChatRows(sql: SqlStorage, owner: string, rows: ChatRows): void {
  // Rows of `messages` after the greatest last_seq stored are new since the last write; group
  // messages from before step 8 are rows no chat row covers, all below the legacy mark.
  const stored = sql
    .exec<{ seq: number }>(
      `SELECT max(coalesce((SELECT max(last_seq) FROM chats), 0),
                  coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?), 0)) AS seq`,
      LEGACY_GROUP_SEQ_KEY,
    )
    .one().seq;
  const chats = sql
    .exec<{ chat: string; seq: number }>(
      "SELECT chat, max(seq) AS seq FROM messages WHERE seq > ? GROUP BY chat",
      stored,
    )
    .toArray();
  for (const { chat, seq } of chats) {
    // Group messages are rows here only from before schema step 8; their chats are group_chats rows.
    if (!chat.startsWith("u:")) continue;
    const last = sql.exec<{ id: string }>("SELECT max(id) AS id FROM messages WHERE chat = ?", chat).one().id;
    const own = sql
      .exec<{ id: string | null }>(
        "SELECT max(id) AS id FROM messages WHERE chat = ? AND seq > ? AND sender = ?",
        chat,
        stored,
        owner,
      )
      .one().id;
    const row = rows.get(chat);
    const readUpto = row?.read_upto ?? "";
    const unread = rows.countUnread(chat, readUpto);
    const lastOwn = [row?.last_own ?? null, own].reduce<string | null>(
      (a, b) => (b !== null && (a === null || b > a) ? b : a),
      null,
    );
    sql.exec(
      `INSERT INTO chats (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(chat) DO UPDATE SET last_seq = excluded.last_seq, last_id = excluded.last_id,
         unread = excluded.unread, last_own = excluded.last_own, next_pos = excluded.next_pos`,
      chat,
      seq,
      last,
      unread,
      lastOwn,
      row?.handed ?? null,
      readUpto,
      row?.delivered_upto ?? "",
      row?.hosted_from ?? null,
      row ? nextPosFound(sql, row) : null,
    );
    rows.forget(chat);
  }
}
