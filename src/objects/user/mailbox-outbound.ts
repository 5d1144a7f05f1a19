// The mailbox as the outbox of one-to-one messages (./peer-log.ts): per
// chat, the newest own message (`last_own`) and the newest its peer confirmed
// (`handed`), both in the chat's row (./mailbox-chats.ts); what lies between
// is owed, read back from the messages themselves.

import type { Message } from "../../shared/protocol";
import type { InboxMessage } from "../inbox";
import type { ChatRows } from "./mailbox-chats";
import { MESSAGE_COLUMNS, type MessageRow } from "./mailbox-reads";

export class MailboxOutbound {
  constructor(
    private readonly sql: SqlStorage,
    private readonly owner: string,
    private readonly chatRows: ChatRows,
    private readonly toMessage: (row: MessageRow) => Message,
  ) {}

  /** The newest own message of a one-to-one chat its peer confirmed ("" for none). */
  handed(chat: string): string {
    return this.chatRows.get(chat)?.handed ?? "";
  }

  /** A confirmed position, written with the chat rows (./mailbox-chats.ts). */
  storeHanded(chat: string, handed: string): void {
    this.chatRows.update(chat, (row) => {
      if (handed > (row.handed ?? "")) row.handed = handed;
    });
  }

  /** Peers of one-to-one chats with own messages they have not confirmed (a scan of the chat rows, once a wake). */
  owedPeers(): string[] {
    this.chatRows.flush();
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
    if (message.media) item.media = message.media;
    return item;
  }
}
