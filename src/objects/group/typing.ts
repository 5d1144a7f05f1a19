// Typing in a group. The typist's own object applied the per-user throttle
// (user/typing.ts); here the group checks membership and relays the indicator
// to every other member's devices (UserObject.relayTyping). Nothing is stored.
//
// Cost control for big groups: a member whose object answered that no device
// is connected is skipped for AWAY_MS, so typing does not keep waking offline
// members; and one relay runs at a time per group, typing that arrives
// meanwhile being dropped (an indicator is best effort, and the next one
// comes within seconds).

import type { ChatId } from "../../shared/protocol";
import { type GroupParts, requireMember } from "./parts";

const AWAY_MS = 30_000;
const FANOUT = 50; // relays in flight at once

export type RelayTyping = (member: string, chat: ChatId, from: string) => Promise<{ online: boolean }>;

/** The members to tell: every member but the typist, who must be one. */
export function typingTargets(g: GroupParts, from: string): string[] {
  requireMember(g, from);
  return g.members.ids().filter((id) => id !== from);
}

export class GroupTyping {
  /** Members whose object said no device was connected, and when. */
  private readonly away = new Map<string, number>();
  private running = false;

  constructor(private readonly relay: RelayTyping) {}

  async relayTo(chat: ChatId, members: string[], from: string, now = Date.now()): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const targets = members.filter((m) => now - (this.away.get(m) ?? -Infinity) >= AWAY_MS);
      for (let i = 0; i < targets.length; i += FANOUT) {
        await Promise.all(targets.slice(i, i + FANOUT).map((member) => this.tell(member, chat, from, now)));
      }
    } finally {
      this.running = false;
    }
  }

  private async tell(member: string, chat: ChatId, from: string, now: number): Promise<void> {
    try {
      const { online } = await this.relay(member, chat, from);
      if (online) this.away.delete(member);
      else this.away.set(member, now);
    } catch (err) {
      console.warn(JSON.stringify({ event: "group_typing_failed", member, error: String(err) }));
    }
  }
}
