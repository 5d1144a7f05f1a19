// Muted chats, as the server's chat list last said (the same on every device
// of the user), kept current by the `chat` frame another device's mute sends.

import type { ChatId, ChatSummary, MutedUntil } from "../../shared/protocol";

/** Muted now: for good, or until a time still ahead. */
export function isMuted(until: MutedUntil | undefined, now = Date.now()): boolean {
  return until === "always" || (typeof until === "number" && until > now);
}

export class Mutes {
  private byChat = new Map<ChatId, MutedUntil>();

  muted(chat: ChatId): boolean {
    return isMuted(this.byChat.get(chat));
  }

  /** A time, "always", or null: unmuted. */
  set(chat: ChatId, until: MutedUntil | null): void {
    if (until === null) this.byChat.delete(chat);
    else this.byChat.set(chat, until);
  }

  /** The chat list's word replaces what was known. */
  fromSummaries(summaries: readonly ChatSummary[]): void {
    this.byChat = new Map(
      summaries.flatMap((s) => (s.mutedUntil === undefined ? [] : [[s.chat, s.mutedUntil] as const])),
    );
  }

  clear(): void {
    this.byChat.clear();
  }
}
