// The user's mailbox: an ordered log, in the object's SQLite, of every message
// the user sent or received and of the receipts for what they sent. `seq`
// numbers it; a device that has seen up to seq N asks for what follows N.
//
// Every method is synchronous: within one call the writes commit together
// (the object's implicit transaction), so a crash never leaves half of them.

import type { ChatId, Media, Message, Quote, ServerFrame } from "../../shared/protocol";
import type { InboxItem, InboxMessage } from "../inbox";
import { MessageChanges } from "./changes";
import type { Counters } from "./counters";
import { HostViews } from "./host-views";
import { HostedLog } from "./hosted-log";
import { MailboxAccept } from "./mailbox-accept";
import { ChatRows } from "./mailbox-chats";
import { MessageLookup } from "./mailbox-lookup";
import { MailboxOutbound } from "./mailbox-outbound";
import { MailboxReads, type MessageRow, toMessage } from "./mailbox-reads";
import { type ReceiptGroup, ReceiptPositions } from "./mailbox-receipts";
import { quoteColumns } from "./quotes";
import { MailboxReactions } from "./reactions";
import { ReceiptHold } from "./receipt-hold";
import { ReceiptMarks } from "./receipt-marks";

export { BATCH_READER, MESSAGE_COLUMNS, type MessageRow } from "./mailbox-reads";
export type { ReceiptGroup } from "./mailbox-receipts";

export class Mailbox {
  /** Edits and deletes (see ./changes.ts). */
  readonly changes: MessageChanges;
  /** Delivered / read times per reader of the messages this user sent. */
  readonly marks: ReceiptMarks;
  /** Reactions to one-to-one messages (see ./reactions.ts). */
  readonly reactions: MailboxReactions;
  /** The one-to-one chat rows, written together (./mailbox-chats.ts). */
  readonly chatRows: ChatRows;
  /** Changes in the logs of chats hosted here, with positions (./hosted-log.ts). */
  readonly hostedLog: HostedLog;
  /** Delivered and read as positions, on the reader's side (./mailbox-receipts.ts). */
  readonly positions: ReceiptPositions;
  readonly lookup: MessageLookup;
  readonly hostViews: HostViews;
  readonly reads: MailboxReads;
  /** One-to-one receipts shown and waiting for a commit to ride (./receipt-hold.ts). */
  readonly held: ReceiptHold;
  /** Own one-to-one messages as what their peers are owed (./mailbox-outbound.ts, ./peer-log.ts). */
  readonly outbound: MailboxOutbound;
  /** What other objects deliver, stored (./mailbox-accept.ts). */
  private readonly incoming: MailboxAccept;
  /** Contacts whose row is known to be stored (this wake): the hot path skips re-writing it. */
  private readonly contacts = new Set<string>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly counters: Counters,
    readonly owner: string,
    /** Runs a write in a batch of its own (./receipt-hold.ts); without it receipts are stored at once. */
    later: ((write: () => void) => void) | null = null,
  ) {
    this.held = new ReceiptHold(sql, later);
    this.marks = new ReceiptMarks(sql, () => this.held.write());
    this.changes = new MessageChanges(sql, this);
    this.reactions = new MailboxReactions(sql, this);
    this.hostViews = new HostViews(sql);
    this.chatRows = new ChatRows(sql, owner);
    this.hostedLog = new HostedLog(this.chatRows, owner);
    this.lookup = new MessageLookup(sql);
    this.positions = new ReceiptPositions(sql, owner, this.chatRows, this.lookup);
    this.reads = new MailboxReads(
      sql,
      this.lookup,
      this.chatRows,
      (row) => this.toMessage(row),
      () => this.held.write(),
    );
    this.outbound = new MailboxOutbound(sql, owner, this.chatRows, (row) => this.toMessage(row));
    this.incoming = new MailboxAccept(sql, this);
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
  giveBack(): void {
    this.counters.seq -= 1;
  }

  /** An own message by its retry key (a guest's key never answers for it: ./hosted-append.ts). */
  findByClientId(clientId: string): Message | null {
    return this.reads.findByClientId(clientId, this.owner);
  }

  /** `hidden`: a row of a hosted chat the owner deleted for itself is found too (./hidden.ts). */
  findById(id: string, hidden = false): Message | null {
    return this.reads.findById(id, hidden);
  }

  /** The quote a reply to `id` carries, from this mailbox's copy (null if it has none). */
  quote(id: string): Quote | null {
    return this.reads.quote(id);
  }

  /** The chat of the row with this id (null if none; ./mailbox-lookup.ts). */
  chatOf(id: string): string | null {
    return this.lookup.chatOf(id);
  }

  /**
   * Stores a message this user sent. `handed` is the peer's confirmed
   * position not yet stored (peer-log.ts), kept with the chat's row (./mailbox-chats.ts).
   */
  appendOwn(
    m: {
      id: string;
      chat: ChatId;
      text: string;
      ts: number;
      clientId: string;
      replyTo?: Quote;
      forwarded?: number;
      media?: Media;
      /** Its position, in a chat hosted here (./hosted-append.ts). */
      pos?: number;
    },
    handed: string | null = null,
  ): Message {
    const seq = this.nextSeq();
    this.sql.exec(
      `INSERT INTO messages (seq, id, chat, sender, text, ts, client_id, reply_to, reply_from, reply_excerpt, forwarded, media, pos)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      seq,
      m.id,
      m.chat,
      this.owner,
      m.text,
      m.ts,
      m.clientId,
      ...quoteColumns(m.replyTo),
      m.forwarded ?? null,
      m.media ? JSON.stringify(m.media) : null,
      m.pos ?? null,
    );
    this.lookup.remember(m.id, m.chat);
    this.chatRows.touch(m.chat, seq, m.id, false, true, handed, m.pos ?? null);
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
    if (m.media) message.media = m.media;
    return message;
  }

  /**
   * Stores what other objects delivered and answers the frames for the
   * user's devices, in mailbox order; duplicates are dropped (./mailbox-accept.ts).
   */
  accept(items: InboxItem[]): ServerFrame[] {
    return this.incoming.accept(items);
  }

  /** After a message left this mailbox: the chat's newest message and unread count again. */
  refreshChat(chat: string): void {
    const last = this.sql
      .exec<{ id: string | null }>("SELECT max(id) AS id FROM messages WHERE chat = ?", chat)
      .one().id;
    if (last === null) {
      this.chatRows.remove(chat);
      return;
    }
    const unread = this.chatRows.countUnread(chat, this.chatRows.get(chat)?.read_upto ?? "");
    this.chatRows.update(chat, (row) => {
      row.last_id = last;
      row.unread = unread;
    });
  }

  /** A message this user sent, as its peer's object receives it (./mailbox-outbound.ts). */
  deliverable(message: Message): InboxMessage {
    return this.outbound.deliverable(message);
  }

  /** `userId` is someone this user wrote to (lastSeenVisibility "contacts"); also for a hosted chat's send, which stores no row here. */
  addContact(userId: string, ts: number): void {
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

  history(chat: ChatId, before: string | undefined, limit: number): Message[] {
    return this.reads.history(chat, before, limit);
  }

  /** Marks messages from others delivered to a device; returns the newly delivered, by sender. */
  markDelivered(ids: string[]): ReceiptGroup[] {
    return this.positions.markDelivered(ids);
  }

  /** Marks a chat read up to and including a message; returns the newly read, by sender. */
  markRead(chat: ChatId, upTo: string): ReceiptGroup[] {
    return this.positions.markRead(chat, upTo);
  }

  /** The chat's unread count (0 without a row). */
  unreadOf(chat: string): number {
    return this.chatRows.get(chat)?.unread ?? 0;
  }

  /** A row as the owner sees it: a hosted row its blocked guest changed shows the owner's version (./host-views.ts). */
  toMessage(row: MessageRow): Message {
    return this.hostViews.overlay(toMessage(row, this.owner, (id) => this.reactions.of(id)));
  }
}
