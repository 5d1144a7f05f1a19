// The durable outbox: items another object must receive, written in the same
// transaction as the change that caused them and deleted only once the target
// confirmed. Delivery is at least once; targets dedupe by item id, so the
// whole path is exactly once.
//
// Per target one delivery is in flight at a time and items go in write order,
// so a target sees them in order. While one is in flight, new items for that
// target gather and travel together in the next call: under load, many
// messages share one RPC. A target that fails backs off (exponential, capped);
// the object's alarm retries it, and its later items wait behind the first.
//
// A confirmed delivery is not deleted at once: the rows are remembered in
// memory and deleted with the object's next batch of writes (the caller's
// flushConfirmed), or at the latest when the safety-net alarm fires, so that
// a delivery costs no storage commit and no event of its own. If the object
// dies first, the rows are delivered again and the target drops them as
// duplicates. Once the deletion leaves the outbox empty, its safety-net
// alarm is released.
//
// Storage is the truth, but the hot path does not read it back: items written
// since the object woke are also kept in memory, and once a target's stored
// rows have been drained to the end, its deliveries are taken from memory
// (no SELECT, no JSON.parse of what was just serialised). A failure, or a
// queue grown past MEMORY_MAX, sends that target back to reading storage.

import { handedAgain, type InboxItem } from "../inbox";
import { BATCH, isEmpty, type Row, storedAfter } from "./outbox-table";

export { OUTBOX_INDEX, OUTBOX_TABLE } from "./outbox-table";

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 5 * 60_000;
/**
 * A safety net: if we die mid-delivery, the alarm retries this soon, even if
 * the sender never comes back (a device that sent and went offline as the
 * process died). An earlier wake retries too: the object resumes its outbox
 * when it starts. Once every item is confirmed and deleted, the need is
 * released (`settled`).
 */
export const OUTBOX_SAFETY_MS = 5_000;
/** Unconfirmed items kept in memory per target; past this, the target reads storage. */
const MEMORY_MAX = 1_000;

export type Deliver = (target: string, items: InboxItem[]) => Promise<unknown>;

export class Outbox {
  private readonly inflight = new Map<string, Promise<void>>();
  /** Per target, the highest row id it confirmed whose rows are not deleted yet. */
  private readonly confirmed = new Map<string, number>();
  /** Per target, the unconfirmed rows written since this object woke, oldest first. */
  private readonly unsent = new Map<string, Row[]>();
  /** Targets whose every unconfirmed row is in `unsent`: storage held nothing older when last read. */
  private readonly known = new Set<string>();
  /**
   * Whether `unsent` holds every unconfirmed row: true from a moment the
   * table was seen empty, false again after a failure or a forgotten target.
   */
  private mirrored = false;

  constructor(
    private readonly sql: SqlStorage,
    private readonly deliver: Deliver,
    /** Asks the object's alarm to fire no later than the given time. */
    private readonly wakeBy: (time: number) => void,
    /** Everything is confirmed and deleted: the safety-net alarm is no longer needed. */
    private readonly settled: () => void = () => {},
  ) {}

  /**
   * Records items for a target. Synchronous, so it commits together with the
   * caller's other writes. The alarm is asked for first, so that a crash after
   * the insert still finds a retry scheduled.
   */
  enqueue(target: string, items: InboxItem[], now = Date.now()): void {
    this.wakeBy(now + OUTBOX_SAFETY_MS);
    const queue = this.unsent.get(target) ?? [];
    this.unsent.set(target, queue);
    for (const item of items) {
      const row = this.sql
        .exec<{ id: number }>(
          "INSERT INTO outbox (target, item, next_at) VALUES (?, ?, ?) RETURNING id",
          target,
          JSON.stringify(item),
          now,
        )
        .one();
      queue.push({ id: row.id, item, at: now });
    }
    if (queue.length > MEMORY_MAX) this.forget(target);
  }

  /**
   * Items a crash may lose until they leave (the gathered receipts: a tick,
   * user/receipt-gather.ts): sent at once, and written as enqueue's only if
   * that fails or the target has items waiting (they stay behind those).
   * When the target answers, as it nearly always does, they cost no row, no
   * deletion and no safety-net alarm: the commits that were most of what a
   * one-to-one message's receipts wrote to the disk. `write` runs a job in the
   * object's next batch of writes.
   */
  async offer(target: string, items: InboxItem[], write: (job: () => void) => Promise<void>): Promise<void> {
    if (!this.waiting(target)) {
      try {
        await this.deliver(target, items);
        return;
      } catch {
        // The target did not answer: the items take the durable way.
      }
    }
    await write(() => {
      this.enqueue(target, items);
      void this.kick(target);
    });
  }

  /** Whether the target has unconfirmed items, stored or in flight. */
  private waiting(target: string): boolean {
    if (this.inflight.has(target) || (this.unsent.get(target)?.length ?? 0) > 0) return true;
    if (this.mirrored) return false;
    const after = this.confirmed.get(target) ?? 0;
    return (
      this.sql.exec("SELECT 1 FROM outbox WHERE target = ? AND id > ? LIMIT 1", target, after).toArray().length > 0
    );
  }

  /** The target's deliveries read storage again (until they reach its end). */
  private forget(target: string): void {
    this.mirrored = false;
    this.unsent.delete(target);
    this.known.delete(target);
  }

  /** Starts delivery to a target unless one is already running; resolves when it is idle. */
  kick(target: string): Promise<void> {
    const running = this.inflight.get(target);
    if (running) {
      this.pending.add(target);
      return running;
    }
    const run = this.drain(target).finally(() => {
      this.inflight.delete(target);
      if (this.pending.delete(target)) void this.kick(target);
    });
    this.inflight.set(target, run);
    return run;
  }

  private readonly pending = new Set<string>();

  /**
   * The alarm's part: retries every target with items due, and books the next
   * alarm first. Items backing off wake us when due; items being delivered
   * need only the safety net (a failed delivery books its own retry). Booking
   * "now" for an item that is merely in flight would fire the alarm again at
   * once, in a loop, for as long as deliveries keep flowing.
   */
  async retryDue(now = Date.now()): Promise<void> {
    this.flushConfirmed();
    // The usual case (an alarm left to fire once, a wake): nothing owed, one probe instead of two scans.
    if (isEmpty(this.sql)) {
      this.mirrored = true;
      return;
    }
    const targets = this.sql
      .exec<{ target: string }>("SELECT DISTINCT target FROM outbox WHERE next_at <= ?", now)
      .toArray();
    const later = this.sql
      .exec<{ at: number | null }>("SELECT min(next_at) AS at FROM outbox WHERE next_at > ?", now)
      .one().at;
    if (later !== null) this.wakeBy(later);
    if (targets.length > 0) this.wakeBy(now + OUTBOX_SAFETY_MS);
    await Promise.all(targets.map((row) => this.kick(row.target)));
  }

  /** When the earliest unconfirmed item is (or was) due; null when every item is confirmed. */
  nextDue(): number | null {
    if (this.depth() === 0) return null;
    return this.sql.exec<{ at: number | null }>("SELECT min(next_at) AS at FROM outbox").one().at;
  }

  /** Items not yet confirmed by their target. */
  depth(): number {
    let n = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n;
    for (const [target, upTo] of this.confirmed) {
      n -= this.sql
        .exec<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE target = ? AND id <= ?", target, upTo)
        .one().n;
    }
    return n;
  }

  /**
   * Deletes the rows confirmed so far (one write for all of them). Called
   * with each batch of the object's writes and by the alarm (retryDue): no
   * timer of its own, since at low rates its event and commit cost as much
   * as the message, and the safety-net alarm, set while any row exists,
   * comes within OUTBOX_SAFETY_MS anyway.
   */
  flushConfirmed(): void {
    for (const [target, upTo] of this.confirmed) {
      this.sql.exec("DELETE FROM outbox WHERE target = ? AND id <= ?", target, upTo);
    }
    if (this.confirmed.size === 0) return;
    this.confirmed.clear();
    if (isEmpty(this.sql)) {
      this.mirrored = true;
      this.settled();
    }
  }

  /**
   * When the safety net is next needed, exactly: the oldest unconfirmed
   * row's time plus OUTBOX_SAFETY_MS, or null if every row is confirmed.
   * Undefined when memory does not hold every unconfirmed row (after a
   * wake, a failure, a long queue): then the times asked stand.
   */
  safetyNet(): number | null | undefined {
    if (!this.mirrored) return undefined;
    let oldest: number | null = null;
    for (const queue of this.unsent.values()) {
      const first = queue[0];
      if (first && (oldest === null || first.at < oldest)) oldest = first.at;
    }
    return oldest === null ? null : oldest + OUTBOX_SAFETY_MS;
  }

  private confirm(target: string, upTo: number): void {
    this.confirmed.set(target, upTo);
    const queue = this.unsent.get(target);
    if (queue) {
      let n = 0;
      while (n < queue.length && (queue[n] as Row).id <= upTo) n++;
      queue.splice(0, n);
    }
  }

  private async drain(target: string): Promise<void> {
    for (;;) {
      const after = this.confirmed.get(target) ?? 0;
      const batch = this.known.has(target) ? this.fromMemory(target) : this.fromStorage(target, after);
      if (!batch) return;
      const last = batch.rows.at(-1) as Row;
      try {
        await this.deliver(
          target,
          batch.rows.map((row) => handedAgain(row.item)),
        );
      } catch (err) {
        const delay = Math.min(BACKOFF_BASE_MS * 2 ** batch.attempts, BACKOFF_MAX_MS);
        const retryAt = Date.now() + delay * (0.75 + Math.random() * 0.5);
        this.sql.exec(
          "UPDATE outbox SET attempts = attempts + 1, next_at = ? WHERE target = ? AND id <= ?",
          retryAt,
          target,
          last.id,
        );
        this.known.delete(target); // the backoff lives in storage: read it from there
        this.mirrored = false;
        this.wakeBy(retryAt);
        console.warn(JSON.stringify({ event: "outbox_retry", target, items: batch.rows.length, error: String(err) }));
        return;
      }
      this.confirm(target, last.id);
    }
  }

  /** The next batch from memory (confirmed rows are already gone from it), or null. */
  private fromMemory(target: string): { rows: Row[]; attempts: number } | null {
    const queue = this.unsent.get(target);
    if (!queue || queue.length === 0) return null;
    return { rows: queue.slice(0, BATCH), attempts: 0 };
  }

  /**
   * The next batch from storage, or null if none is due. Reading to the end
   * makes the target known: every row written from then on is in memory too.
   */
  private fromStorage(target: string, after: number): { rows: Row[]; attempts: number } | null {
    const rows = storedAfter(this.sql, target, after);
    const first = rows[0];
    if (!first) {
      this.known.add(target);
      return null;
    }
    // Backing off: later items wait behind the first, so order holds.
    if (first.next_at > Date.now()) return null;
    return {
      rows: rows.map((row) => ({ id: row.id, item: JSON.parse(row.item) as InboxItem, at: 0 })),
      attempts: first.attempts,
    };
  }
}
