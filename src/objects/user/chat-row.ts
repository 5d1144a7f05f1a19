// A one-to-one chat's row of `chats` (./mailbox-chats.ts), as stored.

export interface ChatRow {
  chat: string;
  last_seq: number;
  last_id: string;
  unread: number;
  /** Newest own message (one-to-one: what the peer is owed up to). */
  last_own: string | null;
  /** Newest own message the peer confirmed. */
  handed: string | null;
  /** Newest peer message read; every peer message up to it is read unless marked (`unread_mark`). */
  read_upto: string;
  /** Newest peer message up to which every one was delivered. */
  delivered_upto: string;
  /** A chat hosted here (./hosted-append.ts): its newest id when hosting began ("" from the start); null: not hosted. */
  hosted_from: string | null;
  /** A hosted chat's next position (null: not hosted). */
  next_pos: number | null;
  [key: string]: SqlStorageValue;
}

export const CHAT_COLUMNS =
  "chat, last_seq, last_id, unread, last_own, handed, read_upto, delivered_upto, hosted_from, next_pos";

/** `meta`: the greatest seq of group messages stored before group schema step 8 (user schema step 13). */
export const LEGACY_GROUP_SEQ_KEY = "legacy_group_seq";
