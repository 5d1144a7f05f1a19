// A counter per key (for example `login:<username>`) for throttling: failures
// within a fixed window. Kept in a Durable Object, never in Worker memory,
// so that every Worker instance everywhere sees the same count.

import { DurableObject } from "cloudflare:workers";

interface Window {
  start: number;
  count: number;
}

export interface ThrottleState {
  /** True once `limit` events happened in the current window. */
  blocked: boolean;
  /** Milliseconds until the window ends (when blocked). */
  retryAfterMs: number;
}

export class ThrottleObject extends DurableObject<Env> {
  private read(): Window | undefined {
    return this.ctx.storage.kv.get<Window>("window");
  }

  private current(windowMs: number, now: number): Window {
    const window = this.read();
    return window && now - window.start < windowMs ? window : { start: now, count: 0 };
  }

  async check(limit: number, windowMs: number, now = Date.now()): Promise<ThrottleState> {
    const window = this.current(windowMs, now);
    const blocked = window.count >= limit;
    return { blocked, retryAfterMs: blocked ? window.start + windowMs - now : 0 };
  }

  /** Counts one event (a failed login); returns the state after it. */
  async record(limit: number, windowMs: number, now = Date.now()): Promise<ThrottleState> {
    const window = this.current(windowMs, now);
    window.count += 1;
    this.ctx.storage.kv.put("window", window);
    const blocked = window.count >= limit;
    return { blocked, retryAfterMs: blocked ? window.start + windowMs - now : 0 };
  }

  /** A successful login outside a block clears the count. */
  async clear(): Promise<void> {
    this.ctx.storage.kv.delete("window");
  }
}
