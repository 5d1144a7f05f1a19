// A one-to-one send, from the frame to `sent`. The recipient must exist (D1,
// once per wake per user, unless already a contact) and not be blocked by
// this user; the message is stored in this mailbox, whose row is also its
// delivery's record (./peer-log.ts), and handed to the peer's object.

import { AppError } from "../../shared/errors";
import { type ChatId, type ClientFrame, FrameError, type Quote } from "../../shared/protocol";
import type { MessageIdClock } from "../storage/id-clock";
import type { WriteBatch } from "../storage/write-batch";
import type { Blocks } from "./blocks";
import type { OutgoingSend } from "./forward";
import type { Mailbox } from "./mailbox";
import type { MailboxArchiveReads } from "./mailbox-archive-reads";
import type { PeerLog } from "./peer-log";
import { broadcast, send } from "./sockets";

type SendFrame = Extract<ClientFrame, { type: "send" }>;
export type ArchivedQuote = { quote: Quote; chat: string; system: boolean };

export interface DirectSender {
  userId: string;
  /** The accounts database of a user (read at each call: tests swap the object's env). */
  db: (userId: string) => D1Database;
  mailbox: Mailbox;
  ids: MessageIdClock;
  peers: PeerLog;
  blocks: Blocks;
  writes: WriteBatch;
  sockets: () => WebSocket[];
  /** A reply may quote a message archived to R2: read before the write batch (./mailbox-archive-reads.ts). */
  archive?: MailboxArchiveReads;
}

export class DirectSend {
  /** Users known to exist (checked in D1 once per wake). */
  private readonly knownUsers = new Set<string>();

  constructor(private readonly me: DirectSender) {}

  /** A retry: the same clientId gets the same answer and stores nothing. Answers whether it was one. */
  answerRetry(ws: WebSocket, frame: SendFrame): boolean {
    const earlier = this.me.mailbox.findByClientId(frame.clientId);
    if (earlier) send(ws, { type: "sent", clientId: frame.clientId, id: earlier.id, seq: earlier.seq, ts: earlier.ts });
    return earlier !== null;
  }

  async send(ws: WebSocket, frame: OutgoingSend, to: string): Promise<void> {
    if (this.me.blocks.has(to)) {
      throw new FrameError(new AppError("blocked", "you blocked this user; unblock them to send"), frame.clientId);
    }
    if (!this.isKnown(to) && !(await this.lookUp(to))) {
      throw new FrameError(new AppError("unknown_user", "no such user"), frame.clientId);
    }
    // The batch reads SQLite only (synchronous): a quoted message archived to R2 is read now.
    const { archive, mailbox } = this.me;
    const archived =
      frame.replyTo !== undefined && archive && !mailbox.findById(frame.replyTo)
        ? await archive.quote(frame.replyTo)
        : null;
    await this.me.writes.run(() => this.store(ws, frame, to, archived));
  }

  /**
   * One synchronous block: the mailbox row (which holds the id) commits, and
   * `sent` leaves only once it is durable (output gate). The mailbox row is
   * the delivery's record: no outbox row (./peer-log.ts); the chat row that
   * says what the peer is owed is written with the chat rows, or made again
   * from the messages after a crash (./mailbox-chats.ts).
   */
  private store(ws: WebSocket, frame: OutgoingSend, to: string, archived: ArchivedQuote | null): void {
    const { mailbox, peers } = this.me;
    const quote =
      frame.replyTo === undefined ? undefined : this.quoteFor(frame.chat, frame.replyTo, frame.clientId, archived);
    // A chat hosted here (./hosted-append.ts): the message takes the next position, and an id after the chat's newest.
    const pos = mailbox.chatRows.nextPos(frame.chat);
    if (pos !== null) this.me.ids.after(mailbox.chatRows.get(frame.chat)?.last_id ?? "");
    const { id, ts } = this.me.ids.next(Date.now(), false);
    const toSelf = to === this.me.userId;
    const message = mailbox.appendOwn(
      {
        id,
        chat: frame.chat,
        text: frame.text,
        ts,
        clientId: frame.clientId,
        ...(quote ? { replyTo: quote } : {}),
        ...(frame.forwarded === undefined ? {} : { forwarded: frame.forwarded }),
        ...(frame.media ? { media: frame.media } : {}),
        ...(pos === null ? {} : { pos }),
      },
      toSelf ? null : peers.takeUnstored(to),
    );
    // The id clock is not written: the row holds the id, and a wake starts the
    // clock after the newest own message (counters.ts).
    if (!toSelf) peers.added(to, mailbox.deliverable(message));
    send(ws, { type: "sent", clientId: frame.clientId, id, seq: message.seq, ts });
    broadcast(this.me.sockets(), { type: "message", message });
    if (!toSelf) void peers.kick(to);
  }

  private quoteFor(chat: ChatId, replyTo: string, clientId: string, archived: ArchivedQuote | null): Quote {
    try {
      return quoteIn(this.me.mailbox, chat, replyTo, archived);
    } catch (err) {
      throw err instanceof AppError ? new FrameError(err, clientId) : err;
    }
  }

  /** Known without asking D1 (the usual case: no await on the hot path). */
  isKnown(userId: string): boolean {
    if (userId === this.me.userId || this.knownUsers.has(userId)) return true;
    if (!this.me.mailbox.isContact(userId)) return false;
    this.knownUsers.add(userId);
    return true;
  }

  async exists(userId: string): Promise<boolean> {
    return this.isKnown(userId) || this.lookUp(userId);
  }

  private async lookUp(userId: string): Promise<boolean> {
    const row = await this.me.db(userId).prepare("SELECT 1 FROM users WHERE id = ?").bind(userId).first();
    if (row) this.knownUsers.add(userId);
    return row !== null;
  }
}

/** A reply quotes a message of the same chat that this mailbox has (deleted ones included). */
export function quoteIn(mailbox: Mailbox, chat: ChatId, replyTo: string, archived: ArchivedQuote | null): Quote {
  const quoted = mailbox.findById(replyTo);
  if (!quoted && archived) {
    if (archived.chat === chat && !archived.system) return archived.quote;
    throw new AppError("invalid_reply", "a reply quotes a message of the same chat");
  }
  if (!quoted) throw new AppError("unknown_message", "no such message to reply to");
  if (quoted.chat !== chat || quoted.system) {
    throw new AppError("invalid_reply", "a reply quotes a message of the same chat");
  }
  const quote = mailbox.quote(replyTo);
  if (!quote) throw new AppError("unknown_message", "no such message to reply to");
  return quote;
}
