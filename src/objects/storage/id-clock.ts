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

  /** The next id and its time; the caller writes it in the same transaction. */
  next(now = Date.now()): { id: string; ts: number } {
    const { id, ts, clock } = nextMessageId(now, this.last, this.origin);
    this.last = clock;
    this.meta.setMany([
      ["id_ts", clock.ts],
      ["id_seq", clock.seq],
    ]);
    return { id, ts };
  }
}
