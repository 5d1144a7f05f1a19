// The message-id clock of one object, kept durably so that ids keep
// increasing across restarts, evictions and a wall clock that steps back.
// By default in two `meta` rows (id_ts, id_seq); an object that writes other
// counters with every id (the user object's seq) gives a store of its own,
// so that all of them share one row and one statement (user/counters.ts).

import { clockOfId, type IdClock, nextMessageId } from "../../shared/ids";
import type { Meta } from "./meta";

/** Where the clock lives: read once, told of every tick, written when `persist`. */
export interface ClockStore {
  load(): IdClock;
  set(clock: IdClock, persist: boolean): void;
}

function metaStore(meta: Meta): ClockStore {
  return {
    load: () => ({ ts: meta.number("id_ts"), seq: meta.number("id_seq") }),
    set: (clock, persist) => {
      if (persist)
        meta.setMany([
          ["id_ts", clock.ts],
          ["id_seq", clock.seq],
        ]);
    },
  };
}

export class MessageIdClock {
  private last: IdClock;
  private readonly store: ClockStore;

  constructor(
    meta: Meta,
    private readonly origin: string,
    store?: ClockStore,
  ) {
    this.store = store ?? metaStore(meta);
    this.last = this.store.load();
  }

  /**
   * The next id and its time, written through in the same synchronous block;
   * with `persist` false the caller writes the clock itself before that block
   * ends, together with its other counters (one statement instead of two on
   * the hot path).
   */
  next(now = Date.now(), persist = true): { id: string; ts: number } {
    const { id, ts, clock } = nextMessageId(now, this.last, this.origin);
    this.last = clock;
    this.store.set(clock, persist);
    return { id, ts };
  }

  /**
   * The next id sorts after `id`, whichever clock made it: its time and
   * sequence come after `id`'s (memory only; the id that follows is written
   * as usual). A user object hosting a chat keeps the chat's ids in order
   * this way (user/hosted-append.ts).
   */
  after(id: string): void {
    if (id === "") return;
    const made = clockOfId(id);
    if (made.ts > this.last.ts || (made.ts === this.last.ts && made.seq > this.last.seq)) this.last = made;
  }

  /** The clock as `meta` rows (the default store). */
  entries(): [string, number][] {
    return [
      ["id_ts", this.last.ts],
      ["id_seq", this.last.seq],
    ];
  }
}
