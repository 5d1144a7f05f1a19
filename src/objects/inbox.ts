// What objects hand to a user's object (UserObject.accept): messages for the
// mailbox and receipts for the sender. Every item is idempotent by its id, so
// an outbox may deliver it again after a crash without making a duplicate.

import type { ChatId, Media, Quote, ReceiptStatus, SystemEvent } from "../shared/protocol";

export interface InboxMessage {
  kind: "message";
  id: string;
  /** The chat as the recipient sees it. */
  chat: ChatId;
  from: string;
  text: string;
  ts: number;
  system?: SystemEvent;
  /** Only on the copy a group hands back to the message's own sender: its retry key. */
  clientId?: string;
  /** On a reply: the quoted message as the sender (or the group) had it. */
  replyTo?: Quote;
  /** On a forwarded copy: its hops from the original (the sender's object counted them). */
  forwarded?: number;
  /** A photo, file or voice note (its text the caption). */
  media?: Media;
}

/**
 * An edit or a delete for everyone, as the message's state after it. A
 * mailbox applies it only if it is newer than the last change it applied to
 * that message (`cid` order) and the message is not deleted: so a repeated
 * or late delivery changes nothing, and a delete is final.
 */
export interface InboxChange {
  kind: "change";
  /** The change's id, from the clock of the object that ordered it (the sender's, or the group's). */
  cid: string;
  /** The chat as the recipient sees it. */
  chat: ChatId;
  /** The message changed, and its sender. */
  id: string;
  from: string;
  /** Its text after the change ("" once deleted). */
  text: string;
  editedAt?: number;
  deletedAt?: number;
  deletedBy?: string;
  /** Only on the copy for the mailbox of whoever made the change: its retry key. */
  clientId?: string;
}

/**
 * One person's reaction to a one-to-one message, set ("👍") or removed ("").
 * Every reaction of one person comes from that person's object, ordered by
 * its clock (`cid`): a mailbox keeps a person's newest one (user/reactions.ts).
 */
export interface InboxReaction {
  kind: "reaction";
  cid: string;
  /** The chat as the recipient sees it. */
  chat: ChatId;
  /** The message reacted to. */
  id: string;
  /** Who reacted. */
  from: string;
  emoji: string;
  /** Only on the copy for the reactor's own mailbox: its retry key. */
  clientId?: string;
}

export interface InboxReceipt {
  kind: "receipt";
  /** Unique per receipt, made by the reader's object: the dedupe key. */
  rid: string;
  /** Delivered from the reader's outbox, so perhaps not the first time: the sender's object looks for `rid` (user/mailbox.ts). */
  retry?: true;
  /** The chat as the recipient (the original sender) sees it. */
  chat: ChatId;
  ids: string[];
  status: ReceiptStatus;
  by: string;
  ts: number;
}

/**
 * Receipts of many readers at once, gathered by a group (group/receipts.ts):
 * stored as one mailbox row, shown as one `receipt` frame per reader.
 */
export interface InboxReceipts {
  kind: "receipts";
  /** Unique per batch, made by the group: the dedupe key. */
  rid: string;
  /** Handed over again after a failed call: the sender's object looks for `rid` first (user/mailbox.ts). */
  retry?: true;
  chat: ChatId;
  status: ReceiptStatus;
  ts: number;
  /** Reader id → the ids of this user's messages it got (or read). */
  readers: Record<string, string[]>;
}

export type InboxItem = InboxMessage | InboxReceipt | InboxChange | InboxReceipts | InboxReaction;

/**
 * An item delivered from an outbox's storage may have arrived before (the
 * answer was lost). Messages and changes are dropped by their ids' indexes;
 * receipts are in no index (user schema steps 16 and 18), so they say so.
 */
export function handedAgain(item: InboxItem): InboxItem {
  return item.kind === "receipt" || item.kind === "receipts" ? { ...item, retry: true } : item;
}
