// The group's fan-out: every member's user object must take every log entry of
// its membership, in log order. The member's object stores no copy: it numbers
// the entries with its own seqs, sends them to its devices and keeps only
// which seqs stand for which positions (user/group-chats.ts); it skips ids it
// has, so a repeated push changes nothing.
//
// Each recipient has one cursor: the last log id its object took. A push reads
// what follows the cursor straight from the log, so everything a member is
// owed travels in one call (coalescing), and a confirmed call moves the cursor
// in memory; cursors (with the receipt watermarks beside them) reach storage
// in batches (./cursors.ts), not once per member per message. After a crash
// the stored cursors are older: the alarm pushes again from there, and
// members skip what they have.
//
// Deliveries run concurrently across members, each member one at a time, so a
// slow or failing member holds one slot and never the others; it backs off and
// the object's alarm brings it back. Members whose object last said no device
// was connected wait in their own lane with few slots. See docs/groups.md.

import type { GroupEntry, PushAnswer } from "../group-entry";
import { ArchiveMiss } from "../storage/archive-shelf";
import { type CursorMarks, Cursors } from "./cursors";
import type { GroupLog } from "./log";
import type { Members } from "./members";
import type { LogViews } from "./views";

/**
 * Hands entries to a member's object, with the id its cursor stood at (so
 * that the member sees a gap, if it lost entries it took); the answer says if
 * a device of it is connected, and how far its devices acknowledged (the
 * member's "delivered up to" and "read up to", riding on the answer:
 * ../user/group-acks.ts).
 */
export type Deliver = (target: string, entries: GroupEntry[], after: string) => Promise<PushAnswer>;

const BATCH = 200; // log entries per call to one member
const ONLINE_SLOTS = 32; // deliveries in flight to members online (or not known to be offline)
const OFFLINE_SLOTS = 8; // deliveries in flight to members known to be offline
const TIMEOUT_MS = 15_000; // a member that does not answer counts as failed
const WATCH_MS = 1_000; // how often the calls in flight are checked against their deadline
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 5 * 60_000;
/** A safety net: if the object dies mid-delivery, the alarm resumes this soon. */
export const FANOUT_SAFETY_MS = 5_000;

interface Lane {
  /** Recipients that may be owed something, in the order they became so. */
  queue: Set<string>;
  slots: number;
  inflight: number;
}

export class FanOut {
  private readonly online: Lane = { queue: new Set(), slots: ONLINE_SLOTS, inflight: 0 };
  private readonly offline: Lane = { queue: new Set(), slots: OFFLINE_SLOTS, inflight: 0 };
  private readonly inflight = new Set<string>();
  /** Members whose object said at the last delivery that no device was connected. */
  private readonly away = new Set<string>();
  /** Recipients pushed to since this object woke. */
  private readonly pushed = new Set<string>();
  /** Where each recipient stands, in memory, written in batches (./cursors.ts). */
  readonly cursors: Cursors;
  /** Takes a member's "delivered up to" and "read up to" that came with a push's answer (GroupReceipts.ack; set by ./assemble.ts). */
  onAcked: (user: string, delivered: string, read: string) => void = () => {};
  /** Recipients whose stored row may say they back off (attempts > 0); null: not read since this object woke. */
  private backingOff: Set<string> | null = null;
  /** Calls in flight and when they give up: one watchdog timer for all, not one per call. */
  private readonly deadlines = new Map<Promise<unknown>, { at: number; fail: (err: Error) => void }>();
  private watchdog: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly log: GroupLog,
    private readonly views: LogViews,
    private readonly members: Members,
    /** Public so that tests can wrap it to inject failures. */
    public deliver: Deliver,
    /** Asks the object's alarm to fire no later than the given time. */
    private readonly wakeBy: (time: number) => void,
    /** Runs a read that may need archived pages (a quoted message), loading them first (GroupObject.through). */
    private readonly through: <T>(read: () => T) => Promise<T> = async (read) => read(),
  ) {
    this.cursors = new Cursors(sql);
  }

  /** A recipient's cursor and watermarks (null: it never was one). */
  marksOf(user: string): CursorMarks | null {
    return this.cursors.marksOf(user);
  }

  /** Starts delivery to these recipients. Call in the same block as the log write. */
  notify(users: readonly string[], now = Date.now()): void {
    this.wakeBy(now + FANOUT_SAFETY_MS);
    for (const user of users) this.enqueue(user);
    this.pump();
  }

  /** A member that just posted is evidently online. */
  seen(user: string): void {
    this.away.delete(user);
    if (this.offline.queue.delete(user)) this.online.queue.add(user);
  }

  private enqueue(user: string): void {
    if (this.online.queue.has(user)) return;
    (this.away.has(user) ? this.offline : this.online).queue.add(user);
  }

  /** The alarm's part (and a woken object's): picks up every recipient due. */
  resume(now = Date.now()): void {
    const last = this.log.lastId;
    const due = this.sql
      .exec<{ user_id: string }>("SELECT user_id FROM cursors WHERE acked < ? AND next_at <= ?", last, now)
      .toArray();
    for (const row of due) if ((this.marksOf(row.user_id)?.acked ?? last) < last) this.enqueue(row.user_id);
    this.pump();
    const later = this.sql
      .exec<{ at: number | null }>("SELECT min(next_at) AS at FROM cursors WHERE acked < ? AND next_at > ?", last, now)
      .one().at;
    if (later !== null) this.wakeBy(later);
    if (this.busy) this.wakeBy(now + FANOUT_SAFETY_MS);
  }

  get busy(): boolean {
    return this.online.queue.size > 0 || this.offline.queue.size > 0 || this.inflight.size > 0;
  }

  /** Recipients whose cursor is behind the log. */
  behind(): number {
    const last = this.log.lastId;
    const rows = this.sql.exec<{ user_id: string }>("SELECT user_id FROM cursors WHERE acked < ?", last).toArray();
    return rows.filter((row) => (this.marksOf(row.user_id)?.acked ?? last) < last).length;
  }

  private pump(): void {
    this.take(this.online);
    this.take(this.offline);
  }

  private take(lane: Lane): void {
    for (const user of lane.queue) {
      if (lane.inflight >= lane.slots) return;
      if (this.inflight.has(user)) continue; // one call per member at a time; it stays queued
      lane.queue.delete(user);
      lane.inflight += 1;
      this.inflight.add(user);
      void this.run(user).finally(() => {
        lane.inflight -= 1;
        this.inflight.delete(user);
        this.pump();
      });
    }
  }

  private cursor(user: string) {
    this.backingOff ??= new Set(
      this.sql
        .exec<{ user_id: string }>("SELECT user_id FROM cursors WHERE attempts > 0")
        .toArray()
        .map((row) => row.user_id),
    );
    // Once per delivery: from memory, unless the row may hold a back-off.
    if (!this.backingOff.has(user)) {
      const marks = this.marksOf(user);
      return marks ? { acked: marks.acked, attempts: 0, next_at: 0 } : undefined;
    }
    const row = this.sql
      .exec<{ acked: string; attempts: number; next_at: number }>(
        "SELECT acked, attempts, next_at FROM cursors WHERE user_id = ?",
        user,
      )
      .toArray()[0];
    const marks = this.marksOf(user);
    // biome-ignore lint/complexity/useMathMinMax: positions are ids (strings), which Math.max cannot compare
    return row && marks ? { ...row, acked: marks.acked > row.acked ? marks.acked : row.acked } : undefined;
  }

  private async run(user: string): Promise<void> {
    const cursor = this.cursor(user);
    const now = Date.now();
    if (!cursor || cursor.next_at > now) return; // gone, or backing off until the alarm
    // A member now with no past span owed reads the log as every other member at its cursor does.
    const since = this.members.hasSpans(user) ? null : this.members.sinceOf(user);
    const scan = () =>
      (since !== null ? this.views.shared.owed(user, since, cursor.acked, BATCH) : null) ??
      this.views.scanFor(user, cursor.acked, BATCH);
    let scanned: ReturnType<typeof scan>;
    try {
      scanned = scan();
    } catch (err) {
      if (!(err instanceof ArchiveMiss)) throw err;
      // A quoted message in R2 that is not in memory: load it, then read again.
      try {
        scanned = await this.through(scan);
      } catch (failed) {
        console.warn(JSON.stringify({ event: "fanout_read_failed", user, error: String(failed) }));
        this.wakeBy(now + FANOUT_SAFETY_MS);
        return;
      }
    }
    const { entries, through: last } = scanned;
    if (last === null) {
      this.retire(user, cursor.acked);
      return;
    }
    this.wakeBy(now + FANOUT_SAFETY_MS);
    // Entries this member is not owed (changes of messages it never had) only move its cursor.
    let answer: Awaited<ReturnType<Deliver>> = { online: !this.away.has(user) };
    try {
      if (entries.length > 0) answer = await this.timed(this.deliver(user, entries, cursor.acked));
    } catch (err) {
      const delay = Math.min(BACKOFF_BASE_MS * 2 ** cursor.attempts, BACKOFF_MAX_MS);
      const retryAt = Date.now() + delay * (0.75 + Math.random() * 0.5);
      this.sql.exec("UPDATE cursors SET attempts = attempts + 1, next_at = ? WHERE user_id = ?", retryAt, user);
      this.backingOff?.add(user);
      this.wakeBy(retryAt);
      console.warn(JSON.stringify({ event: "fanout_retry", user, entries: entries.length, error: String(err) }));
      return;
    }
    if (cursor.attempts > 0) {
      this.sql.exec("UPDATE cursors SET attempts = 0, next_at = 0 WHERE user_id = ?", user);
      this.backingOff?.delete(user);
    }
    this.cursors.took(user, last, Math.max(1, entries.length), !this.pushed.has(user));
    if (answer.delivered !== undefined || answer.read !== undefined) {
      this.onAcked(user, answer.delivered ?? "", answer.read ?? "");
    }
    this.pushed.add(user);
    if (this.retire(user, last)) return;
    if (answer.online) this.away.delete(user);
    else this.away.add(user);
    // More may be owed (a full batch, or entries added meanwhile); an empty read ends it.
    if (this.log.lastId > last) this.enqueue(user);
  }

  /** A call that fails if it has not answered within TIMEOUT_MS. */
  private timed<T>(call: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.deadlines.set(call, { at: Date.now() + TIMEOUT_MS, fail: reject });
      this.watch();
      call.then(resolve, reject).finally(() => this.deadlines.delete(call));
    });
  }

  /** Fails the calls past their deadline; runs while any is in flight. */
  private watch(): void {
    if (this.watchdog !== null) return;
    this.watchdog = setTimeout(() => {
      this.watchdog = null;
      const now = Date.now();
      for (const [call, { at, fail }] of this.deadlines) {
        if (at > now) continue;
        this.deadlines.delete(call);
        fail(new Error(`no answer within ${TIMEOUT_MS} ms`));
      }
      if (this.deadlines.size > 0) this.watch();
    }, WATCH_MS);
  }

  /** Drops what was delivered; a former member owed nothing more is retired. True if it was. */
  private retire(user: string, acked: string): boolean {
    this.members.dropSpansUpTo(user, acked);
    if (this.members.owed(user)) return false;
    this.cursors.retire(user);
    this.away.delete(user);
    return true;
  }
}
