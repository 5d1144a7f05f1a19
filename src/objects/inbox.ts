// What objects hand to a user's object (UserObject.accept): messages for the
// mailbox and receipts for the sender. Every item is idempotent by its id, so
// an outbox may deliver it again after a crash without making a duplicate.

import type { ChatId, ReceiptStatus, SystemEvent } from "../shared/protocol";

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
}

export interface InboxReceipt {
  kind: "receipt";
  /** Unique per receipt, made by the reader's object: the dedupe key. */
  rid: string;
  /** The chat as the recipient (the original sender) sees it. */
  chat: ChatId;
  ids: string[];
  status: ReceiptStatus;
  by: string;
  ts: number;
}

export type InboxItem = InboxMessage | InboxReceipt;
