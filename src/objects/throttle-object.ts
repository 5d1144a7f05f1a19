// A counter per key (for example `login:<username>@<address>`) for
// throttling: events within a fixed window. Kept in a Durable Object, never
// in Worker memory, so that every Worker instance everywhere sees the same
// count.
//
// A key whose limit trips is locked until its window ends. With `grow`, a key
// that trips again within a day is locked longer each time (twice the window,
// four times, ... at most a day): a guesser who waits out each lockout gets
// ever fewer tries per hour, while one slip of the owner costs one window.

import { DurableObject } from "cloudflare:workers";

interface Window {
  start: number;
  count: number;
  /** Locked until then (ms), once the limit tripped. */
  until?: number;
  /** Lockouts so far, and when the last began: they grow while recent. */
  strikes?: number;
  lastStrike?: number;
}

export interface ThrottleState {
  /** True once `limit` events happened in the current window (or while a lockout lasts). */
  blocked: boolean;
  /** Milliseconds until the lockout ends (when blocked). */
  retryAfterMs: number;
}

export interface ThrottleRule {
  limit: number;
  windowMs: number;
  /** Each lockout within STRIKE_MEMORY_MS of the last lasts twice as long as the one before. */
  grow?: boolean;
}

const STRIKE_MEMORY_MS = 24 * 60 * 60 * 1000;
const LOCKOUT_MAX_MS = 24 * 60 * 60 * 1000;

export class ThrottleObject extends DurableObject<Env> {
  private read(): Window | undefined {
    return this.ctx.storage.kv.get<Window>("window");
  }

  /** The window in force at `now`: a new one once the old one (and its lockout) is over. */
  private current(windowMs: number, now: number): Window {
    const window = this.read();
    if (!window) return { start: now, count: 0 };
    if ((window.until ?? 0) > now || now - window.start < windowMs) return window;
    const fresh: Window = { start: now, count: 0 };
    if (window.strikes && window.lastStrike !== undefined && now - window.lastStrike < STRIKE_MEMORY_MS) {
      fresh.strikes = window.strikes;
      fresh.lastStrike = window.lastStrike;
    }
    return fresh;
  }

  private state(window: Window, rule: ThrottleRule, now: number): ThrottleState {
    const until = window.until ?? (window.count >= rule.limit ? window.start + rule.windowMs : 0);
    const blocked = until > now;
    return { blocked, retryAfterMs: blocked ? until - now : 0 };
  }

  async check(rule: ThrottleRule, now = Date.now()): Promise<ThrottleState> {
    return this.state(this.current(rule.windowMs, now), rule, now);
  }

  /** Counts one event (a failed login); returns the state after it. */
  async record(rule: ThrottleRule, now = Date.now()): Promise<ThrottleState> {
    const window = this.current(rule.windowMs, now);
    window.count += 1;
    if (window.count >= rule.limit && window.until === undefined) {
      const strikes = (window.strikes ?? 0) + 1;
      // The first lockout is the rest of the window (the contract's promise); later ones double.
      window.until =
        strikes === 1 || !rule.grow
          ? window.start + rule.windowMs
          : now + Math.min(rule.windowMs * 2 ** (strikes - 1), LOCKOUT_MAX_MS);
      window.strikes = strikes;
      window.lastStrike = now;
    }
    this.ctx.storage.kv.put("window", window);
    return this.state(window, rule, now);
  }

  /** A successful login outside a lockout clears the count, and the memory of earlier lockouts. */
  async clear(): Promise<void> {
    this.ctx.storage.kv.delete("window");
  }
}
