// What is read of the mailbox without writing: rows by id or clientId, a
// chat's page, the chat list, and what follows a sync cursor. Rows become
// protocol messages through `toMessage` (../mailbox.ts).

import type {
  ChatId,
  ChatSummary,
  Media,
  Message,
  Quote,
  Reaction,
  ReceiptStatus,
  ServerFrame,
  SystemEvent,
} from "../../shared/protocol";
import { shown } from "./hidden";
import type { ChatRows } from "./mailbox-chats";
import type { MessageLookup } from "./mailbox-lookup";
import { quoteOf } from "./quotes";
import { retrySeq } from "./retry-keys";

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
  media: string | null;
  [key: string]: SqlStorageValue;
}

export const MESSAGE_COLUMNS =
  "seq, id, chat, sender, text, ts, client_id, system, edited_at, deleted_at, deleted_by, reply_to, reply_from, reply_excerpt, forwarded, media";
/** The same columns read from `messages m` in a join. */
const M_COLUMNS = MESSAGE_COLUMNS.split(", ")
  .map((c) => `m.${c}`)
  .join(", ");

/** Receipts a group's batch handed over again is looked for among: far more than a mailbox takes in a minute. */
const RETRY_SCAN_ROWS = 5_000;

/** The `by` of a receipts row that holds a group's batch of many readers. */
export const BATCH_READER = "*";

export class MailboxReads {
  constructor(
    private readonly sql: SqlStorage,
    private readonly lookup: MessageLookup,
    private readonly chatRows: ChatRows,
    private readonly toMessage: (row: MessageRow) => Message,
    /** Stores the receipts held in memory (./receipt-hold.ts), before they are read. */
    private readonly writeHeld: () => void = () => {},
  ) {}

  /** The message `sender` stored with this retry key (since schema step 19 the key is (sender, clientId): a guest's too). */
  findByClientId(clientId: string, sender: string): Message | null {
    const seq = retrySeq(this.sql, clientId, sender);
    if (seq === null) return null;
    const row = this.sql.exec<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq = ?`, seq).toArray()[0];
    return row ? this.toMessage(row) : null;
  }

  /**
   * The row with this id, of whichever chat (./mailbox-lookup.ts). `hidden`: a
   * row of a hosted chat the owner deleted for itself is found too (./hidden.ts);
   * by default it is not, as if it were gone.
   */
  row(id: string, hidden = false): MessageRow | null {
    const chat = this.lookup.chatOf(id);
    if (chat === null) return null;
    const own = hidden ? "" : ` AND ${shown("messages.id")}`;
    return (
      this.sql
        .exec<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE chat = ? AND id = ?${own}`, chat, id)
        .toArray()[0] ?? null
    );
  }

  findById(id: string, hidden = false): Message | null {
    const row = this.row(id, hidden);
    return row ? this.toMessage(row) : null;
  }

  /** The quote a reply to `id` carries, from this mailbox's copy (null if it has none). */
  quote(id: string): Quote | null {
    // Hidden rows too: a guest's reply (./hosted-append.ts) quotes what the guest sees.
    const row = this.row(id, true);
    return row ? quoteOf(row) : null;
  }

  /** Messages after a sync cursor, in seq order (remembered by id: the device acknowledges them next). */
  messagesAfter(after: number, limit: number): Message[] {
    return this.sql
      .exec<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq > ? AND ${shown("messages.id")} ORDER BY seq LIMIT ?`,
        after,
        limit,
      )
      .toArray()
      .map((row) => {
        this.lookup.remember(row.id, row.chat);
        return this.toMessage(row);
      });
  }

  /** Whether a receipt `rid` handed over again is among the newest receipts (a retry comes within minutes, not thousands of receipts later). */
  hasRecentReceipt(rid: string): boolean {
    return (
      this.sql
        .exec(`SELECT 1 FROM (SELECT rid FROM receipts ORDER BY seq DESC LIMIT ${RETRY_SCAN_ROWS}) WHERE rid = ?`, rid)
        .toArray().length > 0
    );
  }

  /** Receipts after a sync cursor, in seq order, each row with its seq (a group's batch: a frame per reader). */
  receiptsAfter(after: number, limit: number): { seq: number; frame: ReceiptFrame[] }[] {
    this.writeHeld();
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
          `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE chat = ? AND id < ? AND ${shown("messages.id")} ORDER BY id DESC LIMIT ?`,
          chat,
          before,
          limit,
        )
      : this.sql.exec<MessageRow>(
          `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE chat = ? AND ${shown("messages.id")} ORDER BY id DESC LIMIT ?`,
          chat,
          limit,
        );
    return rows
      .toArray()
      .reverse()
      .map((row) => this.toMessage(row));
  }

  /**
   * Every one-to-one chat with its newest message and unread count, most recent first. A hosted chat's
   * `last_id` is its newest row even if the owner deleted it for itself (the id clock's floor, ./mailbox-chats.ts):
   * then the newest row shown stands in, and a chat with none shown is left out, as one with no rows is.
   */
  chats(): ChatSummary[] {
    // The rows waiting in memory first (./mailbox-chats.ts), so the list is current.
    this.chatRows.flush();
    const rows = this.sql
      .exec<MessageRow & { unread: number }>(
        `SELECT c.unread, ${M_COLUMNS}
         FROM chats c JOIN messages m ON m.chat = c.chat AND m.id = CASE WHEN ${shown("c.last_id")} THEN c.last_id
           ELSE (SELECT max(x.id) FROM messages x WHERE x.chat = c.chat AND x.id < c.last_id AND ${shown("x.id")}) END
         ORDER BY c.last_seq DESC`,
      )
      .toArray();
    return rows.map((row) => ({ chat: row.chat as ChatId, lastMessage: this.toMessage(row), unread: row.unread }));
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM messages").one().n;
  }
}

export function receiptFrames(
  chat: ChatId,
  readers: Record<string, string[]>,
  status: ReceiptStatus,
  ts: number,
): ReceiptFrame[] {
  return Object.entries(readers).map(([by, ids]) => ({ type: "receipt", chat, ids, status, by, ts }));
}

/** A mailbox row as the protocol's message (reactions from ./reactions.ts). */
export function toMessage(row: MessageRow, owner: string, reactionsOf: (id: string) => Reaction[]): Message {
  const message: Message = {
    id: row.id,
    chat: row.chat as ChatId,
    from: row.sender,
    text: row.text,
    ts: row.ts,
    seq: row.seq,
  };
  if (row.client_id !== null && row.sender === owner) message.clientId = row.client_id;
  if (row.system !== null) message.system = JSON.parse(row.system) as SystemEvent;
  if (row.reply_to !== null) {
    const quote: Quote = { id: row.reply_to, from: row.reply_from ?? "", excerpt: row.reply_excerpt ?? "" };
    if (row.reply_excerpt === null) quote.deleted = true;
    message.replyTo = quote;
  }
  if (row.media !== null) message.media = JSON.parse(row.media) as Media;
  if (row.edited_at !== null) message.editedAt = row.edited_at;
  if (row.deleted_at !== null) {
    message.deletedAt = row.deleted_at;
    if (row.deleted_by !== null) message.deletedBy = row.deleted_by;
  } else if (row.system === null) {
    const reactions = reactionsOf(row.id);
    if (reactions.length > 0) message.reactions = reactions;
  }
  if (row.forwarded !== null) message.forwarded = row.forwarded;
  return message;
}
