// The `chats` rows of one-to-one chats, kept in memory and written together
// (`flush`) instead of once per message: the newest message, the unread
// count, what the peer is owed (`last_own`, `handed`, ./peer-log.ts) and the
// receipt positions (./mailbox-receipts.ts). Before schema step 13 each
// message wrote its chat row on both sides, two rows per message.
//
// Crash safety: the message rows are the record. A new chat's row, and a
// chat's deletion, are written at once together with every row waiting, so
// the rows stored always hold every message up to the greatest `last_seq`
// stored. On wake `repairChatRows` (./mailbox-chats-repair.ts) reads the messages after it (a range of seqs) and
// writes again the rows of their chats, recomputed from the messages: the
// newest message and own message, the unread count. What only memory held is
// then lost: a delivered position moved (a repeated acknowledgement sends its
// receipt again, which the sender takes as the first; ./mailbox-receipts.ts;
// a read writes its row at once) and a confirmed `handed` (the peer gets those
// messages again and drops them by id).
//
// Rows are written by: a timer (CHAT_FLUSH_MS after the first waits), the
// alarm (a sender's safety net fires a few seconds after a send), a read, the
// last device leaving, the chat list, and any new chat or deletion.

import { type ChatRow, CHAT_COLUMNS as COLUMNS } from "./chat-row";
import { shown } from "./hidden";
import { repairChatRows } from "./mailbox-chats-repair";

export { type ChatRow, LEGACY_GROUP_SEQ_KEY } from "./chat-row";

/**
 * The chat rows as they are now, for a query that must write nothing (the
 * archive's look for a page, ./mailbox-archive.ts): the stored rows, with
 * those waiting in memory over them. `param` is the number of the query's
 * parameter bound to `ChatRows.unwritten()`.
 */
export function chatsNow(param: number): string {
  const waiting = `json_each(?${param})`;
  const field = (name: string) => `json_extract(value, '$.${name}')`;
  return `SELECT chat, last_id, handed FROM chats WHERE chat NOT IN (SELECT ${field("chat")} FROM ${waiting})
    UNION ALL SELECT ${field("chat")}, ${field("last_id")}, ${field("handed")} FROM ${waiting}`;
}

/** How long rows wait in memory at most before they are written. */
export const CHAT_FLUSH_MS = 30_000;

export class ChatRows {
  /** Rows read or changed this wake; null: known to have none. */
  private readonly rows = new Map<string, ChatRow | null>();
  private readonly dirty = new Set<string>();
  /** Runs the timed flush (the object runs it in its write batch). */
  writeLater: (job: () => void) => void = (job) => job();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly owner: string,
  ) {
    repairChatRows(sql, owner, this);
  }

  get(chat: string): ChatRow | null {
    let row = this.rows.get(chat);
    if (row === undefined) {
      row = this.sql.exec<ChatRow>(`SELECT ${COLUMNS} FROM chats WHERE chat = ?`, chat).toArray()[0] ?? null;
      this.rows.set(chat, row);
    }
    return row;
  }

  /** Rows waiting to be written. */
  get waiting(): number {
    return this.dirty.size;
  }

  /** The rows waiting to be written, as JSON for `chatsNow`: reading them writes nothing. */
  unwritten(): string {
    const rows = [...this.dirty].flatMap((chat) => {
      const r = this.rows.get(chat);
      return r ? [{ chat, last_id: r.last_id, handed: r.handed }] : [];
    });
    return JSON.stringify(rows);
  }

  /** Changes a chat's row in memory; it is written by the next `flush`. */
  update(chat: string, change: (row: ChatRow) => void): void {
    const row = this.get(chat);
    if (!row) return;
    change(row);
    this.dirty.add(chat);
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.writeLater(() => this.flush());
    }, CHAT_FLUSH_MS);
  }

  /**
   * A new message: the chat's row changed in memory, or a new chat's row
   * written now (with every row waiting). `pos`: the message took that
   * position of a chat hosted here (./hosted-append.ts); the first one of a
   * chat begins its hosting, and its row is written now too (`hosted_from`
   * could not be found again from the messages).
   */
  touch(
    chat: string,
    seq: number,
    id: string,
    unread: boolean,
    own: boolean,
    handed: string | null,
    pos: number | null = null,
  ): void {
    const row = this.get(chat);
    if (row) {
      const begins = pos !== null && row.hosted_from === null;
      this.update(chat, (r) => {
        if (begins) r.hosted_from = r.last_id;
        if (pos !== null) r.next_pos = pos + 1;
        r.last_seq = seq;
        if (id > r.last_id) r.last_id = id;
        if (unread) r.unread += 1;
        if (own) r.last_own = id;
        if (handed !== null && handed > (r.handed ?? "")) r.handed = handed;
      });
      if (begins) this.flush();
      return;
    }
    this.flush();
    const fresh: ChatRow = {
      chat,
      last_seq: seq,
      last_id: id,
      unread: unread ? 1 : 0,
      last_own: own ? id : null,
      handed,
      read_upto: "",
      delivered_upto: "",
      hosted_from: pos === null ? null : "",
      next_pos: pos === null ? null : pos + 1,
    };
    this.sql.exec(
      `INSERT INTO chats (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ...[fresh.chat, fresh.last_seq, fresh.last_id, fresh.unread, fresh.last_own, fresh.handed, "", ""],
      ...[fresh.hosted_from, fresh.next_pos],
    );
    this.rows.set(chat, fresh);
  }

  /** After a write of a chat's row failed (its transaction undone): memory lets go of it, and reads it again. */
  forget(chat: string): void {
    this.dirty.delete(chat);
    this.rows.delete(chat);
  }

  /** The position a new message of a chat hosted here takes (null: the chat is not hosted here, or has no row). */
  nextPos(chat: string): number | null {
    const row = this.get(chat);
    return row?.hosted_from == null ? null : (row.next_pos ?? 1);
  }

  /** A chat without messages left: its row goes now (with every row waiting). */
  remove(chat: string): void {
    this.dirty.delete(chat);
    this.flush();
    this.sql.exec("DELETE FROM chats WHERE chat = ?", chat);
    this.rows.set(chat, null);
  }

  /** Writes every row waiting: one row written per chat, however many messages moved it. */
  flush(): void {
    for (const chat of this.dirty) {
      const r = this.rows.get(chat);
      if (!r) continue;
      this.sql.exec(
        `UPDATE chats SET last_seq = ?, last_id = ?, unread = ?, last_own = ?, handed = ?, read_upto = ?, delivered_upto = ?,
           hosted_from = ?, next_pos = ? WHERE chat = ?`,
        r.last_seq,
        r.last_id,
        r.unread,
        r.last_own,
        r.handed,
        r.read_upto,
        r.delivered_upto,
        r.hosted_from,
        r.next_pos,
        chat,
      );
    }
    this.dirty.clear();
    // No timer left behind: a pending one would keep an idle object from being evicted.
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * The unread count from the messages: peer messages after the read position, and those marked unread again;
   * not those the owner deleted for itself in a hosted chat (./hidden.ts).
   */
  countUnread(chat: string, readUpto: string): number {
    return this.sql
      .exec<{ n: number }>(
        `SELECT (SELECT count(*) FROM messages WHERE chat = ?1 AND id > ?2 AND sender != ?3 AND system IS NULL
                   AND ${shown("messages.id")})
              + (SELECT count(*) FROM messages WHERE chat = ?1 AND unread_mark IS NOT NULL AND ${shown("messages.id")}) AS n`,
        chat,
        readUpto,
        this.owner,
      )
      .one().n;
  }

  /**
   * The newest id this object's clock made that a chat row names (the id
   * clock's floor, counters.ts): its own one-to-one messages, and the
   * newest of each chat hosted here (a guest's message takes an id of this
   * clock; a copy an older peer delivered there can only move it forward).
   */
  newestOwn(): string | null {
    this.flush();
    return this.sql
      .exec<{ id: string | null }>(
        `SELECT max(id) AS id FROM (SELECT max(last_own) AS id FROM chats
           UNION ALL SELECT max(last_id) FROM chats WHERE hosted_from IS NOT NULL)`,
      )
      .one().id;
  }
}
