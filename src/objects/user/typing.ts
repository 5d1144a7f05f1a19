// Typing indicators are relayed, never stored. A user (all devices together)
// gets at most one relay per chat every TYPING_INTERVAL_MS; extra frames are
// dropped silently. Kept in memory: after hibernation the user was quiet for
// longer than the interval anyway.

import type { ChatId } from "../../shared/protocol";

/** Beyond this many chats, entries older than the interval are forgotten. */
const PRUNE_AT = 64;

export class TypingThrottle {
  private readonly last = new Map<ChatId, number>();

  constructor(private readonly intervalMs: number) {}

  /** True if a relay for `chat` may go now (and records it). */
  allow(chat: ChatId, now: number): boolean {
    const previous = this.last.get(chat);
    if (previous !== undefined && now - previous < this.intervalMs) return false;
    if (this.last.size >= PRUNE_AT) this.prune(now);
    this.last.set(chat, now);
    return true;
  }

  private prune(now: number): void {
    for (const [chat, at] of this.last) if (now - at >= this.intervalMs) this.last.delete(chat);
  }
}
