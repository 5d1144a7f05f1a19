// The dialogs a message opens from its menu or its reactions row: the
// reaction picker, who reacted with what, and the chat picker of a forward.
// They name messages by chat and id, and read them from the store when
// drawn, so a reaction or an edit arriving meanwhile shows at once.

import type { ChatId, Message } from "../../shared/protocol";

export type MessageDialog =
  | { kind: "react"; chat: ChatId; id: string }
  | { kind: "reactions"; chat: ChatId; id: string }
  | { kind: "forward"; chat: ChatId; ids: string[] };

export class MessageDialogs {
  current: MessageDialog | null = null;
  /** What the last dialog did, in words, for the conversation to show (e.g. "Forwarded to 2 chats"). */
  status: string | null = null;

  constructor(private readonly changed: () => void) {}

  react(message: Message): void {
    this.show({ kind: "react", chat: message.chat, id: message.id });
  }

  reactions(message: Message): void {
    this.show({ kind: "reactions", chat: message.chat, id: message.id });
  }

  /** Several messages of one chat, forwarded in their order (oldest first). */
  forward(chat: ChatId, ids: string[]): void {
    if (ids.length > 0) this.show({ kind: "forward", chat, ids: [...ids].sort() });
  }

  close(): void {
    this.show(null);
  }

  /** Says what was done (null: nothing to say). */
  done(status: string | null): void {
    this.status = status;
    this.changed();
  }

  private show(dialog: MessageDialog | null): void {
    this.current = dialog;
    if (dialog) this.status = null;
    this.changed();
  }
}
