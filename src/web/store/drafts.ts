// What was typed in each chat's message box and not sent, per user, kept in
// localStorage: leaving a chat (or reloading) and coming back finds it again.
// Logging out drops them.

import type { ChatId } from "../../shared/protocol";

const draftsKey = (userId: string) => `edge-chat.drafts.${userId}`;

export class Drafts {
  private readonly key: string;
  private readonly texts: Record<string, string>;

  constructor(userId: string) {
    this.key = draftsKey(userId);
    this.texts = read(this.key);
  }

  get(chat: ChatId): string {
    return this.texts[chat] ?? "";
  }

  set(chat: ChatId, text: string): void {
    if (text === "") delete this.texts[chat];
    else this.texts[chat] = text;
    try {
      localStorage.setItem(this.key, JSON.stringify(this.texts));
    } catch {
      // storage full or refused: the draft lives for this page only
    }
  }
}

/** At logout: nothing typed in this user's chats stays in the browser (as the snapshot, store/snapshot.ts). */
export function dropDrafts(userId: string): void {
  try {
    localStorage.removeItem(draftsKey(userId));
  } catch {
    // storage refused: there is nothing kept either
  }
}

function read(key: string): Record<string, string> {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(key) ?? "{}");
    return value && typeof value === "object" ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}
