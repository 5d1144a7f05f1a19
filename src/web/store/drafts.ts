// What was typed in each chat's message box and not sent, per user, kept in
// localStorage: leaving a chat (or reloading) and coming back finds it again.

import type { ChatId } from "../../shared/protocol";

export class Drafts {
  private readonly key: string;
  private readonly texts: Record<string, string>;

  constructor(userId: string) {
    this.key = `edge-chat.drafts.${userId}`;
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

function read(key: string): Record<string, string> {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(key) ?? "{}");
    return value && typeof value === "object" ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}
