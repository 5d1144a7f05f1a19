// The user object's counters, the mailbox's seq and the message-id clock, in
// one `meta` row ("counters" = "seq:id_ts:id_seq"), written by each block of
// writes that takes an id and keeps it nowhere else (an edit, a delete, a
// reaction): before schema step 7 they were three rows (seq, id_ts, id_seq),
// three rows written per message sent. Since step 13 a one-to-one send writes
// no counter either: its mailbox row holds the id, and a wake starts the clock
// after the newest own message (`atLeast`, from the chat rows' `last_own`).
//
// The seq is not written when it moves: every seq is taken by a row of
// messages, receipts or changes, and rows leave only by a delete for me,
// which itself records a change with a newer seq. So the greatest seq stored
// is the counter, read back on wake (three primary-key lookups), and a
// delivery or a receipt writes no counter at all. The stored value is only a
// floor (an object migrated by step 7, or older code rolled back onto it).

import { clockOfId, type IdClock } from "../../shared/ids";
import type { ClockStore } from "../storage/id-clock";
import type { Meta } from "../storage/meta";
import { startSeq } from "./seq-hold";

export const COUNTERS_KEY = "counters";
export const SEQ_RESERVED_KEY = "seq_reserved";

export function packCounters(seq: number, clock: IdClock): string {
  return `${seq}:${clock.ts}:${clock.seq}`;
}

export class Counters implements ClockStore {
  seq: number;
  private clock: IdClock;

  constructor(
    private readonly meta: Meta,
    sql: SqlStorage,
    /** The greatest seq the sockets held across hibernation (./seq-hold.ts), if any. */
    held: number | null = null,
  ) {
    const [seq = 0, ts = 0, idSeq = 0] = (meta.get(COUNTERS_KEY) ?? "0:0:0").split(":").map(Number);
    const stored = sql
      .exec<{ seq: number }>(
        // max() of several arguments is NULL if any is: each empty table counts as 0.
        `SELECT max(coalesce((SELECT max(seq) FROM messages), 0), coalesce((SELECT max(seq) FROM receipts), 0),
                    coalesce((SELECT max(seq) FROM changes), 0),
                    coalesce((SELECT seq + count - 1 FROM group_runs ORDER BY seq DESC LIMIT 1), 0),
                    coalesce((SELECT max(last) FROM group_run_pages), 0),
                    coalesce((SELECT max(run_seq + run_count - 1) FROM group_chats), 0)) AS seq`,
      )
      .one().seq;
    // Seqs of group entries are handed out before their run is stored, up to
    // this reservation (user/group-chats.ts): after a crash, start above it;
    // after hibernation, after what the sockets held.
    this.seq = startSeq(Math.max(seq, stored), meta.number(SEQ_RESERVED_KEY), held);
    this.clock = { ts, seq: idSeq };
  }

  /**
   * The clock is at least the one that made `id`: one-to-one sends do not
   * write the clock (their row holds the id), so a wake starts it after the
   * newest own message (user/mailbox-chats.ts). Edits, deletes and reactions
   * still write it with their change.
   */
  atLeast(id: string | null): void {
    if (id === null) return;
    const made = clockOfId(id);
    if (made.ts > this.clock.ts || (made.ts === this.clock.ts && made.seq > this.clock.seq)) this.clock = made;
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
