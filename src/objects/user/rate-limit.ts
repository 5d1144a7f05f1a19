// A token bucket for frames per user (all devices together). Kept in memory:
// if the object hibernates, the bucket starts full again, which is harmless
// because hibernation only happens after the user has been quiet.

import { FRAME_RATE_BURST, FRAME_RATE_PER_SECOND } from "../../shared/limits";

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Takes one token; false when the bucket is empty. */
  take(now = Date.now()): boolean {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.ratePerSecond);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The per-user frame budget; FRAME_RATE="rate,burst" overrides it (tests). */
export function frameBucket(setting: string | undefined): TokenBucket {
  const [rate, burst] = (setting ?? "").split(",").map(Number);
  return rate && burst ? new TokenBucket(rate, burst) : new TokenBucket(FRAME_RATE_PER_SECOND, FRAME_RATE_BURST);
}
