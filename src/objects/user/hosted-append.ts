// The host's side of a hosted one-to-one chat (docs/one-copy-per-chat.md,
// step 1): the chat's one copy lives in the mailbox of the user whose id
// sorts first, and the other user's object (the guest's) hands its messages
// here, as a group member's object posts to its group (./group-send.ts).
// Nothing calls this yet but its tests: guests still store copies (step 2).
//
// One synchronous block per message, in the write batch: the retry key
// (guest, clientId) is looked up, the block checked, then the message row
// (with the guest's seq and the chat's next position), its hidden mark if the
// host blocks the guest, and the chat row are written together or not at
// all, and the answer leaves once committed
// (output gate). A crash after the commit loses only the answer: the guest's
// retry finds the row and gets the same answer, guestSeq included.

import { AppError } from "../../shared/errors";
import type { ChatId, Message, Quote } from "../../shared/protocol";
import { asObject, parseWith } from "../../shared/schemas/check";
import { type CheckedGuestMessage, guestMessageSchema, type HostedAnswer } from "../../shared/schemas/hosted";
import type { MessageIdClock } from "../storage/id-clock";
import type { WriteBatch } from "../storage/write-batch";
import type { Blocks } from "./blocks";
import { type ArchivedQuote, quoteIn } from "./direct-send";
import type { Mailbox } from "./mailbox";
import type { MailboxArchiveReads } from "./mailbox-archive-reads";
import { quoteColumns } from "./quotes";
import { retrySeq } from "./retry-keys";
import { broadcast } from "./sockets";

export type { GuestMessage, HostedAnswer } from "../../shared/schemas/hosted";

/** What the host's side uses of its object. */
export interface HostSide {
  userId: string;
  /** A guest's delete for everyone releases its message's media at the uploader's object (./hosted-changes.ts). */
  env: Env;
  sql: SqlStorage;
  /** The row and the chat row are one transaction (a failure between them leaves neither). */
  transactionSync: <T>(fn: () => T) => T;
  mailbox: Mailbox;
  ids: MessageIdClock;
  blocks: Blocks;
  writes: WriteBatch;
  sockets: () => WebSocket[];
  archive?: MailboxArchiveReads;
  pushOffline: (messages: Message[]) => void;
}

/** Whether `host` hosts its one-to-one chat with `other`: the id that sorts first hosts. */
export function hosts(host: string, other: string): boolean {
  return host < other;
}

/**
 * A guest's message, checked, stored once and answered; a retry (same guest and clientId) answers the first answer.
 * `retryOnly`: only a retry's answer (a guest that blocked this user, ./hosted-send.ts); nothing is stored.
 */
export async function appendFromGuest(
  me: HostSide,
  guest: string,
  input: unknown,
  retryOnly = false,
): Promise<HostedAnswer> {
  const m = parseWith(guestMessageSchema, { ...asObject(input, "message", "invalid_body"), guest });
  // A `send` frame's rules: the fields' limits (in the schema: a checked message is well under a frame's
  // FRAME_MAX_BYTES, its text at most 16 KB of UTF-8 and its preview 6,000 characters, so it needs no size
  // check of its own), and text or media. The `guest` given wins over one the message may carry.
  if (m.text === "" && !m.media) throw new AppError("invalid_field", "text must not be empty without media");
  if (!hosts(me.userId, m.guest)) {
    throw new AppError("forbidden", "a one-to-one chat is hosted by the user whose id sorts first");
  }
  const chat: ChatId = `u:${m.guest}`;
  // The batch reads SQLite only (synchronous): a quoted message archived to R2 is read now.
  const archived =
    m.replyTo !== undefined && !retryOnly && me.archive && !me.mailbox.findById(m.replyTo, true)
      ? await me.archive.quote(m.replyTo, true)
      : null;
  return me.writes.run(() => {
    if (!retryOnly) return store(me, chat, m, archived);
    const earlier = findRetry(me.sql, m.guest, m.clientId);
    if (!earlier) throw new AppError("not_found", "no message with that clientId");
    return earlier;
  });
}

function store(me: HostSide, chat: ChatId, m: CheckedGuestMessage, archived: ArchivedQuote | null): HostedAnswer {
  const earlier = findRetry(me.sql, m.guest, m.clientId);
  if (earlier) return earlier;
  // In the same turn as the insert: a block made a moment ago is seen. A blocked guest's message is stored
  // (it is the chat's one copy, and the guest reads it here) but hidden from the host for good, and answered
  // as any: the guest cannot tell it was blocked (docs/protocol.md, "Blocking";
  // docs/one-copy-per-chat.md, "Blocking in a hosted chat, as built").
  const hidden = me.blocks.has(m.guest);
  const quote = m.replyTo === undefined ? null : guestQuote(me.mailbox, chat, m.replyTo, archived);
  const { mailbox } = me;
  const rows = mailbox.chatRows;
  const hosted = rows.nextPos(chat);
  const pos = hosted ?? 1;
  // A new chat's row, or the row of a chat whose hosting begins, is written with this message: every other
  // row waiting goes first, outside the transaction, so a failure below undoes only this message's writes
  // (and memory lets go of the row it changed).
  if (hosted === null) rows.flush();
  me.ids.after(rows.get(chat)?.last_id ?? "");
  const { id, ts } = me.ids.next(Date.now(), false);
  const seq = mailbox.nextSeq();
  try {
    me.transactionSync(() => {
      me.sql.exec(
        `INSERT INTO messages (seq, id, chat, sender, text, ts, client_id, reply_to, reply_from, reply_excerpt, forwarded, media, guest_seq, pos)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        seq,
        id,
        chat,
        m.guest,
        m.text,
        ts,
        m.clientId,
        ...quoteColumns(quote),
        m.forwarded ?? null,
        m.media ? JSON.stringify(m.media) : null,
        m.guestSeq,
        pos,
      );
      if (hidden) me.mailbox.changes.remember(id);
      rows.touch(chat, seq, id, !hidden, false, null, pos);
    });
  } catch (err) {
    if (hosted === null) rows.forget(chat);
    console.warn(JSON.stringify({ event: "hosted_append_failed", chat, error: String(err) }));
    throw new AppError("internal", "the message was not stored; send again");
  }
  mailbox.lookup.remember(id, chat);
  const answer = { id, seq, pos, ts, guestSeq: m.guestSeq };
  if (hidden) return answer;
  // The host's devices get it as a delivery today is shown (./inbound.ts).
  const message: Message = { id, chat, from: m.guest, text: m.text, ts, seq };
  if (quote) message.replyTo = quote;
  if (m.media) message.media = m.media;
  if (m.forwarded !== undefined) message.forwarded = m.forwarded;
  const sockets = me.sockets();
  broadcast(sockets, { type: "message", message });
  if (sockets.length === 0) me.pushOffline([message]);
  return answer;
}

/**
 * A guest's reply quotes what the guest sees: a message the host deleted for itself (./changes.ts, `hide`) too,
 * from its row. Anything else is a reply's quote as a send makes it (./direct-send.ts).
 */
function guestQuote(mailbox: Mailbox, chat: ChatId, replyTo: string, archived: ArchivedQuote | null): Quote {
  const hidden = mailbox.findById(replyTo) === null ? mailbox.findById(replyTo, true) : null;
  const quote = hidden && hidden.chat === chat && !hidden.system ? mailbox.quote(replyTo) : null;
  return quote ?? quoteIn(mailbox, chat, replyTo, archived);
}

/** The first answer to a guest's message with this retry key (null if none). */
function findRetry(sql: SqlStorage, guest: string, clientId: string): HostedAnswer | null {
  const seq = retrySeq(sql, clientId, guest);
  if (seq === null) return null;
  const row = sql
    .exec<{ id: string; seq: number; pos: number | null; ts: number; guest_seq: number | null }>(
      "SELECT id, seq, pos, ts, guest_seq FROM messages WHERE seq = ?",
      seq,
    )
    .toArray()[0];
  if (!row) return null;
  // A guest's rows always have both; anything else under its key is not a hosted message.
  if (row.pos === null || row.guest_seq === null) throw new AppError("internal", "that retry key holds another row");
  return { id: row.id, seq: row.seq, pos: row.pos, ts: row.ts, guestSeq: row.guest_seq };
}
