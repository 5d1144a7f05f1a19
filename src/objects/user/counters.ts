// The user object's counters, the mailbox's seq and the message-id clock, in
// one `meta` row ("counters" = "seq:id_ts:id_seq"). Each block of writes that
// moves any of them writes that one row once, with one statement: before
// schema step 6 they were three rows (seq, id_ts, id_seq), three rows written
// per message sent. Schema step 6 moved the old keys here.

import type { IdClock } from "../../shared/ids";
import type { ClockStore } from "../storage/id-clock";
import type { Meta } from "../storage/meta";

export const COUNTERS_KEY = "counters";

export function packCounters(seq: number, clock: IdClock): string {
  return `${seq}:${clock.ts}:${clock.seq}`;
}

export class Counters implements ClockStore {
  seq: number;
  private clock: IdClock;

  constructor(private readonly meta: Meta) {
    const [seq = 0, ts = 0, idSeq = 0] = (meta.get(COUNTERS_KEY) ?? "0:0:0").split(":").map(Number);
    this.seq = seq;
    this.clock = { ts, seq: idSeq };
  }

  load(): IdClock {
    return this.clock;
  }

  set(clock: IdClock, persist: boolean): void {
    this.clock = clock;
    if (persist) this.save();
  }

  /** The one row, as it stands now. */
  save(): void {
    this.meta.set(COUNTERS_KEY, packCounters(this.seq, this.clock));
  }
}
