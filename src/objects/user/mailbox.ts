// The user's mailbox: an ordered log, in the object's SQLite, of every message
// the user sent or received and of the receipts for what they sent. `seq`
// numbers it; a device that has seen up to seq N asks for what follows N.
//
// Every method is synchronous: within one call the writes commit together
// (the object's implicit transaction), so a crash never leaves half of them.

import type {
  ChatId,
  ChatSummary,
  Message,
  Quote,
  ReceiptStatus,
  ServerFrame,
  SystemEvent,
} from "../../shared/protocol";
import type { InboxItem, InboxMessage, InboxReceipt, InboxReceipts } from "../inbox";
import { MessageChanges } from "./changes";
import type { Counters } from "./counters";
import { quoteColumns, quoteOf } from "./quotes";
import { MailboxReactions } from "./reactions";
import { ReceiptMarks } from "./receipt-marks";

type ReceiptFrame = Extract<ServerFrame, { type: "receipt" }>;

export interface MessageRow {
  seq: number;
  id: string;
  chat: string;
  sender: string;
  text: string;
  ts: number;
  client_id: string | null;
  system: string | null;
  edited_at: number | null;
  deleted_at: number | null;
  deleted_by: string | null;
  reply_to: string | null;
  reply_from: string | null;
  reply_excerpt: string | null;
  forwarded: number | null;
  [key: string]: SqlStorageValue;
}

export const MESSAGE_COLUMNS =
  "seq, id, chat, sender, text, ts, client_id, system, edited_at, deleted_at, deleted_by, reply_to, reply_from, reply_excerpt, forwarded";
/** The same columns read from `messages m` in a join. */
const M_COLUMNS = MESSAGE_COLUMNS.split(", ")
  .map((c) => `m.${c}`)
  .join(", ");

/** Messages of one sender in one chat, newly delivered or read: one receipt's worth. */
export interface ReceiptGroup {
  sender: string;
  chat: ChatId;
  ids: string[];
}

export class Mailbox {
  /** Edits and deletes (see ./changes.ts). */
  readonly changes: MessageChanges;
  /** Delivered / read times per reader of the messages this user sent. */
  readonly marks: ReceiptMarks;
  /** Reactions to one-to-one messages (see ./reactions.ts). */
  readonly reactions: MailboxReactions;
  /** Contacts whose row is known to be stored (this wake): the hot path skips re-writing it. */
  private readonly contacts = new Set<string>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly counters: Counters,
    readonly owner: string,
  ) {
    this.marks = new ReceiptMarks(sql);
    this.changes = new MessageChanges(sql, this);
    this.reactions = new MailboxReactions(sql, this);
  }

  get lastSeq(): number {
    return this.counters.seq;
  }

  /**
   * The next seq. Not written anywhere: the row that takes it is its record,
   * and a wake reads the counter back as the greatest seq stored (counters.ts).
   */
  nextSeq(): number {
    this.counters.seq += 1;
    return this.counters.seq;
  }

  /** A seq taken for a row that turned out to be a duplicate, given back (same synchronous block). */
  private giveBack(): void {
    this.counters.seq -= 1;
  }

  findByClientId(clientId: string): Message | null {
    const row = this.sql
      .exec<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE client_id = ?`, clientId)
      .toArray()[0];
    return row ? this.toMessage(row) : null;
  }

  findById(id: string): Message | null {
    const row = this.sql.exec<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`, id).toArray()[0];
    return row ? this.toMessage(row) : null;
  }

  /** The quote a reply to `id` carries, from this mailbox's copy (null if it has none). */
  quote(id: string): Quote | null {
    const row = this.sql
      .exec<{ id: string; sender: string; text: string; deleted_at: number | null }>(
        "SELECT id, sender, text, deleted_at FROM messages WHERE id = ?",
        id,
      )
      .toArray()[0];
    return row ? quoteOf(row) : null;
  }

  /**
   * Stores a message this user sent. `handed` is the peer's confirmed
   * position not yet stored (peer-log.ts), stored by the same chat row write.
   */
  appendOwn(
    m: { id: string; chat: ChatId; text: string; ts: number; clientId: string; replyTo?: Quote; forwarded?: number },
    handed: string | null = null,
  ): Message {
    const seq = this.nextSeq();
    this.sql.exec(
      `INSERT INTO messages (seq, id, chat, sender, text, ts, client_id, reply_to, reply_from, reply_excerpt, forwarded)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      seq,
      m.id,
      m.chat,
      this.owner,
      m.text,
      m.ts,
      m.clientId,
      ...quoteColumns(m.replyTo),
      m.forwarded ?? null,
    );
    this.touchChat(m.chat, seq, m.id, false, handed);
    if (m.chat.startsWith("u:")) this.addContact(m.chat.slice(2), m.ts);
    const message: Message = {
      id: m.id,
      chat: m.chat,
      from: this.owner,
      text: m.text,
      ts: m.ts,
      seq,
      clientId: m.clientId,
    };
    if (m.replyTo) message.replyTo = m.replyTo;
    if (m.forwarded !== undefined) message.forwarded = m.forwarded;
    return message;
  }

  /**
   * Stores what other objects delivered and answers the frames for the
   * user's devices, in mailbox order; duplicates are dropped.
   */
  accept(items: InboxItem[]): ServerFrame[] {
    const frames: ServerFrame[] = [];
    for (const item of items) {
      if (item.kind === "message") {
        const stored = this.acceptMessage(item);
        if (stored) {
          frames.push({ type: "message", message: stored });
          frames.push(...this.changes.release(item.id));
        }
      } else if (item.kind === "change") {
        const frame = this.changes.accept(item);
        if (frame) frames.push(frame);
      } else if (item.kind === "reaction") {
        const frame = this.reactions.accept(item);
        if (frame) frames.push(frame);
      } else {
        frames.push(...this.acceptReceipt(item));
      }
    }
    return frames;
  }

  /**
   * One receipts row per delivery: a reader's receipt (one-to-one), or a
   * group's batch of many readers' (`by` = "*", `ids` = reader → ids). Message
   * info reads these rows themselves (receipt-marks.ts): no mark per message.
   */
  private acceptReceipt(item: InboxReceipt | InboxReceipts): ReceiptFrame[] {
    const batch = item.kind === "receipts";
    // A repeated delivery writes nothing (the insert is ignored, its seq given back).
    const seq = this.nextSeq();
    const written = this.sql.exec(
      "INSERT INTO receipts (seq, rid, chat, ids, status, by, ts) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(rid) DO NOTHING",
      seq,
      item.rid,
      item.chat,
      JSON.stringify(batch ? item.readers : item.ids),
      item.status,
      batch ? BATCH_READER : item.by,
      item.ts,
    ).rowsWritten;
    if (written === 0) {
      this.giveBack();
      return [];
    }
    return receiptFrames(item.chat, batch ? item.readers : { [item.by]: item.ids }, item.status, item.ts);
  }

  private acceptMessage(item: InboxMessage): Message | null {
    if (this.changes.isForgotten(item.id)) return null;
    const seq = this.nextSeq();
    const system = item.system ? JSON.stringify(item.system) : null;
    // The owner's own group message keeps its clientId, so that a retried send
    // finds it; a clientId the client reused for another message is dropped.
    const clientId =
      item.clientId !== undefined && item.from === this.owner && !this.findByClientId(item.clientId)
        ? item.clientId
        : null;
    // A quote shows the quoted message as this mailbox has it, if it has it.
    const quote = item.replyTo ? (this.quote(item.replyTo.id) ?? item.replyTo) : null;
    // A repeated delivery writes nothing (the insert is ignored, its seq given back).
    const written = this.sql.exec(
      `INSERT INTO messages (seq, id, chat, sender, text, ts, system, client_id, reply_to, reply_from, reply_excerpt, forwarded)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
      seq,
      item.id,
      item.chat,
      item.from,
      item.text,
      item.ts,
      system,
      clientId,
      ...quoteColumns(quote),
      item.forwarded ?? null,
    ).rowsWritten;
    if (written === 0) {
      this.giveBack();
      return null;
    }
    const fromOther = item.from !== this.owner && !item.system;
    this.touchChat(item.chat, seq, item.id, fromOther);
    // A contact is someone this user wrote to (appendOwn): a stranger's first message makes none.
    const message: Message = { id: item.id, chat: item.chat, from: item.from, text: item.text, ts: item.ts, seq };
    if (clientId !== null) message.clientId = clientId;
    if (item.system) message.system = item.system;
    if (quote) message.replyTo = quote;
    if (item.forwarded !== undefined) message.forwarded = item.forwarded;
    return message;
  }

  /** After a message left this mailbox: the chat's newest message and unread count again. */
  refreshChat(chat: string): void {
    const last = this.sql
      .exec<{ id: string | null }>("SELECT max(id) AS id FROM messages WHERE chat = ?", chat)
      .one().id;
    if (last === null) {
      this.sql.exec("DELETE FROM chats WHERE chat = ?", chat);
      return;
    }
    this.sql.exec("UPDATE chats SET last_id = ? WHERE chat = ?", last, chat);
    this.recountUnread(chat);
  }

  /** The chat's unread count again, counted from its read floor (below it everything is read). */
  recountUnread(chat: string): void {
    const unread = this.sql
      .exec<{ n: number }>(
        `SELECT count(*) AS n FROM messages
         WHERE chat = ?1 AND id >= coalesce((SELECT read_floor FROM chats WHERE chat = ?1), '')
           AND sender != ?2 AND system IS NULL AND read_at IS NULL`,
        chat,
        this.owner,
      )
      .one().n;
    this.sql.exec("UPDATE chats SET unread = ? WHERE chat = ?", unread, chat);
  }

  /** A message read before is unread again (an edit): the read floor moves below it. */
  unreadAgain(chat: string, id: string): void {
    this.sql.exec(
      "UPDATE chats SET read_floor = CASE WHEN read_floor > ?1 THEN ?1 ELSE read_floor END WHERE chat = ?2",
      id,
      chat,
    );
    this.recountUnread(chat);
  }

  /** The chat row after a new message; an own one is the chat's `last_own` (what its peer is owed up to). */
  private touchChat(chat: ChatId, seq: number, id: string, unread: boolean, handed?: string | null): void {
    const own = handed !== undefined;
    this.sql.exec(
      `INSERT INTO chats (chat, last_seq, last_id, unread, last_own, handed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
       ON CONFLICT(chat) DO UPDATE SET
         last_seq = excluded.last_seq,
         last_id = CASE WHEN excluded.last_id > last_id THEN excluded.last_id ELSE last_id END,
         unread = unread + excluded.unread,
         last_own = coalesce(excluded.last_own, last_own),
         handed = CASE WHEN excluded.handed > coalesce(handed, '') THEN excluded.handed ELSE handed END`,
      chat,
      seq,
      id,
      unread ? 1 : 0,
      own ? id : null,
      handed ?? null,
    );
  }

  // ------------------------------------------------------------ the mailbox as outbox (peer-log.ts)

  /** The newest own message of a one-to-one chat its peer confirmed ("" for none). */
  handed(chat: string): string {
    return (
      this.sql.exec<{ handed: string | null }>("SELECT handed FROM chats WHERE chat = ?", chat).toArray()[0]?.handed ??
      ""
    );
  }

  storeHanded(chat: string, handed: string): void {
    this.sql.exec("UPDATE chats SET handed = ?1 WHERE chat = ?2 AND coalesce(handed, '') < ?1", handed, chat);
  }

  /** Peers of one-to-one chats with own messages they have not confirmed (a scan of the chat rows, once a wake). */
  owedPeers(): string[] {
    return this.sql
      .exec<{ chat: string }>(
        "SELECT chat FROM chats WHERE chat LIKE 'u:%' AND chat != ? AND last_own > coalesce(handed, '')",
        `u:${this.owner}`,
      )
      .toArray()
      .map((row) => row.chat.slice(2));
  }

  /** Own messages of a one-to-one chat after `after`, oldest first, as the peer's object receives them. */
  ownAfter(chat: string, after: string, limit: number): InboxMessage[] {
    return this.sql
      .exec<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE chat = ? AND id > ? AND sender = ? ORDER BY id LIMIT ?`,
        chat,
        after,
        this.owner,
        limit,
      )
      .toArray()
      .map((row) => this.deliverable(this.toMessage(row)));
  }

  /** A message this user sent, as its peer's object receives it (text and quote as they are now). */
  deliverable(message: Message): InboxMessage {
    const item: InboxMessage = {
      kind: "message",
      id: message.id,
      chat: `u:${this.owner}`,
      from: this.owner,
      text: message.text,
      ts: message.ts,
    };
    if (message.replyTo) item.replyTo = message.replyTo;
    if (message.forwarded !== undefined) item.forwarded = message.forwarded;
    return item;
  }

  private addContact(userId: string, ts: number): void {
    if (userId === this.owner || this.contacts.has(userId)) return;
    this.sql.exec("INSERT OR IGNORE INTO contacts (user_id, since) VALUES (?, ?)", userId, ts);
    this.contacts.add(userId);
  }

  isContact(userId: string): boolean {
    if (this.contacts.has(userId)) return true;
    const found = this.sql.exec("SELECT 1 FROM contacts WHERE user_id = ?", userId).toArray().length > 0;
    if (found) this.contacts.add(userId);
    return found;
  }

  /** Messages after a sync cursor, in seq order. */
  messagesAfter(after: number, limit: number): Message[] {
    return this.sql
      .exec<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
      .toArray()
      .map((row) => this.toMessage(row));
  }

  /** Receipts after a sync cursor, in seq order, each row with its seq (a group's batch: a frame per reader). */
  receiptsAfter(after: number, limit: number): { seq: number; frame: ReceiptFrame[] }[] {
    return this.sql
      .exec<{ seq: number; chat: string; ids: string; status: string; by: string; ts: number }>(
        "SELECT seq, chat, ids, status, by, ts FROM receipts WHERE seq > ? ORDER BY seq LIMIT ?",
        after,
        limit,
      )
      .toArray()
      .map((row) => {
        const ids = JSON.parse(row.ids) as string[] | Record<string, string[]>;
        const readers = row.by === BATCH_READER ? (ids as Record<string, string[]>) : { [row.by]: ids as string[] };
        return { seq: row.seq, frame: receiptFrames(row.chat as ChatId, readers, row.status as ReceiptStatus, row.ts) };
      });
  }

  /** One page of a chat, oldest first: the `limit` messages just before `before`. */
  history(chat: ChatId, before: string | undefined, limit: number): Message[] {
    const rows = before
      ? this.sql.exec<MessageRow>(
          `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE chat = ? AND id < ? ORDER BY id DESC LIMIT ?`,
          chat,
          before,
          limit,
        )
      : this.sql.exec<MessageRow>(
          `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE chat = ? ORDER BY id DESC LIMIT ?`,
          chat,
          limit,
        );
    return rows
      .toArray()
      .reverse()
      .map((row) => this.toMessage(row));
  }

  /** Every chat with its newest message and unread count, most recent first. */
  chats(): ChatSummary[] {
    const rows = this.sql
      .exec<MessageRow & { unread: number }>(
        `SELECT c.unread, ${M_COLUMNS}
         FROM chats c JOIN messages m ON m.id = c.last_id
         ORDER BY c.last_seq DESC`,
      )
      .toArray();
    return rows.map((row) => ({ chat: row.chat as ChatId, lastMessage: this.toMessage(row), unread: row.unread }));
  }

  /** Marks messages from others delivered to a device; returns the newly delivered, by sender. */
  markDelivered(ids: string[], now: number): ReceiptGroup[] {
    // One statement for the whole frame (a busy device acknowledges many at once).
    const fresh = this.sql
      .exec<{ id: string; chat: string; sender: string }>(
        `UPDATE messages SET delivered_at = ?
         WHERE id IN (SELECT value FROM json_each(?)) AND sender != ? AND system IS NULL AND delivered_at IS NULL
         RETURNING id, chat, sender`,
        now,
        JSON.stringify(ids),
        this.owner,
      )
      .toArray()
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return groupBySender(fresh);
  }

  /** Marks a chat read up to and including a message; returns the newly read, by sender. */
  markRead(chat: ChatId, upTo: string, now: number): ReceiptGroup[] {
    // From the chat's read floor: below it everything is read (no index of
    // unread rows to keep up; see schema step 7), so a read scans only what
    // arrived since the last one.
    const fresh = this.sql
      .exec<{ id: string; chat: string; sender: string }>(
        `UPDATE messages SET read_at = ?1, delivered_at = coalesce(delivered_at, ?1)
         WHERE chat = ?2 AND id <= ?3 AND id >= coalesce((SELECT read_floor FROM chats WHERE chat = ?2), '')
           AND sender != ?4 AND system IS NULL AND read_at IS NULL
         RETURNING id, chat, sender`,
        now,
        chat,
        upTo,
        this.owner,
      )
      .toArray();
    // One write of the chat row: the count less what was just read, and the floor raised to upTo.
    if (fresh.length > 0) {
      this.sql.exec(
        `UPDATE chats SET unread = max(0, unread - ?1),
           read_floor = CASE WHEN coalesce(read_floor, '') < ?2 THEN ?2 ELSE read_floor END
         WHERE chat = ?3`,
        fresh.length,
        upTo,
        chat,
      );
    }
    return groupBySender(fresh);
  }

  /** The chat's unread count as kept in its row (0 without one). */
  unreadOf(chat: string): number {
    return this.sql.exec<{ unread: number }>("SELECT unread FROM chats WHERE chat = ?", chat).toArray()[0]?.unread ?? 0;
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM messages").one().n;
  }

  toMessage(row: MessageRow): Message {
    const message: Message = {
      id: row.id,
      chat: row.chat as ChatId,
      from: row.sender,
      text: row.text,
      ts: row.ts,
      seq: row.seq,
    };
    if (row.client_id !== null && row.sender === this.owner) message.clientId = row.client_id;
    if (row.system !== null) message.system = JSON.parse(row.system) as SystemEvent;
    if (row.reply_to !== null) {
      const quote: Quote = { id: row.reply_to, from: row.reply_from ?? "", excerpt: row.reply_excerpt ?? "" };
      if (row.reply_excerpt === null) quote.deleted = true;
      message.replyTo = quote;
    }
    if (row.edited_at !== null) message.editedAt = row.edited_at;
    if (row.deleted_at !== null) {
      message.deletedAt = row.deleted_at;
      if (row.deleted_by !== null) message.deletedBy = row.deleted_by;
    } else if (row.system === null) {
      const reactions = this.reactions.of(row.id);
      if (reactions.length > 0) message.reactions = reactions;
    }
    if (row.forwarded !== null) message.forwarded = row.forwarded;
    return message;
  }
}

/** The `by` of a receipts row that holds a group's batch of many readers. */
export const BATCH_READER = "*";

function receiptFrames(
  chat: ChatId,
  readers: Record<string, string[]>,
  status: ReceiptStatus,
  ts: number,
): ReceiptFrame[] {
  return Object.entries(readers).map(([by, ids]) => ({ type: "receipt", chat, ids, status, by, ts }));
}

function groupBySender(rows: { id: string; chat: string; sender: string }[]): ReceiptGroup[] {
  const groups = new Map<string, ReceiptGroup>();
  for (const row of rows) {
    const key = `${row.sender} ${row.chat}`;
    let group = groups.get(key);
    if (!group) {
      group = { sender: row.sender, chat: row.chat as ChatId, ids: [] };
      groups.set(key, group);
    }
    group.ids.push(row.id);
  }
  return [...groups.values()];
}
