// Reconnect delays: exponential growth with "equal jitter" (half fixed, half
// random), so a server restart is not met by every client at the same instant,
// and no client retries in a tight loop.

export interface BackoffOptions {
  /** First delay's ceiling, ms. */
  baseMs?: number;
  /** Largest delay, ms. */
  maxMs?: number;
  /** Source of randomness in [0, 1); tests may fix it. */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 500;
    this.maxMs = options.maxMs ?? 30_000;
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt; each call grows the next one. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  /** After a connection that worked: start small again. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
