// The message-id clock of one object, kept durably in `meta` so that ids keep
// increasing across restarts, evictions and a wall clock that steps back.

import { type IdClock, nextMessageId } from "../../shared/ids";
import type { Meta } from "./meta";

export class MessageIdClock {
  private last: IdClock;

  constructor(
    private readonly meta: Meta,
    private readonly origin: string,
  ) {
    this.last = { ts: meta.number("id_ts"), seq: meta.number("id_seq") };
  }

  /**
   * The next id and its time, written through to `meta` in the same
   * synchronous block; with `persist` false the caller writes `entries()`
   * itself before that block ends, together with its other counters (one
   * statement instead of two on the hot path).
   */
  next(now = Date.now(), persist = true): { id: string; ts: number } {
    const { id, ts, clock } = nextMessageId(now, this.last, this.origin);
    this.last = clock;
    if (persist) this.meta.setMany(this.entries());
    return { id, ts };
  }

  /** The clock as `meta` rows. */
  entries(): [string, number][] {
    return [
      ["id_ts", this.last.ts],
      ["id_seq", this.last.seq],
    ];
  }
}
