// Typing indicators are relayed, never stored. A user (all devices together)
// gets at most one relay per chat every TYPING_INTERVAL_MS; extra frames are
// dropped silently. Kept in memory: after hibernation the user was quiet for
// longer than the interval anyway.

import { AppError, type Result } from "../../shared/errors";
import { TYPING_INTERVAL_MS } from "../../shared/limits";
import { type ChatId, parseChat } from "../../shared/protocol";
import { liveSockets } from "./presence";
import { broadcast } from "./sockets";

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

  /** Forgets a relay that did not happen (refused), so the next frame is checked again. */
  forget(chat: ChatId): void {
    this.last.delete(chat);
  }

  private prune(now: number): void {
    for (const [chat, at] of this.last) if (now - at >= this.intervalMs) this.last.delete(chat);
  }
}

export interface TypingDeps {
  ctx: DurableObjectState;
  userId: string;
  userExists(userId: string): Promise<boolean>;
  /** RPC to another user's object: `relayTyping(chat as that user sees it, from)`. */
  relay(to: string, chat: ChatId, from: string): Promise<unknown>;
  /** RPC to a group's object: checks membership and relays to the other members. */
  relayToGroup(groupId: string, from: string): Promise<Result<null>>;
}

export class TypingRelay {
  private readonly throttle = new TypingThrottle(TYPING_INTERVAL_MS);

  constructor(private readonly deps: TypingDeps) {}

  /** A `typing` frame from one of this user's devices. */
  async typing(chat: ChatId, now = Date.now()): Promise<void> {
    const ref = parseChat(chat);
    if (ref.kind === "group") return this.toGroup(chat, ref.id, now);
    if (ref.id === this.deps.userId) return; // nobody else to tell
    if (!(await this.deps.userExists(ref.id))) throw new AppError("unknown_user", "no such user");
    if (!this.throttle.allow(chat, now)) return;
    try {
      await this.deps.relay(ref.id, `u:${this.deps.userId}`, this.deps.userId);
    } catch (err) {
      logLost(chat, err);
    }
  }

  /** The group checks membership; a refusal is an error frame and does not use up the interval. */
  private async toGroup(chat: ChatId, groupId: string, now: number): Promise<void> {
    if (!this.throttle.allow(chat, now)) return;
    let result: Result<null>;
    try {
      result = await this.deps.relayToGroup(groupId, this.deps.userId);
    } catch (err) {
      return logLost(chat, err);
    }
    if (!result.ok) {
      this.throttle.forget(chat);
      throw new AppError(result.error.code, result.error.message);
    }
  }

  /** RPC: someone is typing in `chat` (as this user sees it); tells this user's devices, if any are connected. */
  deliver(chat: ChatId, from: string): boolean {
    const sockets = liveSockets(this.deps.ctx).map((s) => s.ws);
    broadcast(sockets, { type: "typing", chat, from });
    return sockets.length > 0;
  }
}

/** A lost typing indicator is not worth an error to the client: a peer that cannot be reached is only logged. */
function logLost(chat: ChatId, err: unknown): void {
  console.warn(JSON.stringify({ event: "typing_relay_failed", chat, error: String(err) }));
}
