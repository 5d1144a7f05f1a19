// The group's fan-out: every member's user object must receive every log entry
// of its membership, in log order, exactly once (the mailbox drops ids it has).
//
// Instead of one outbox row per member per message (1,000 rows written and
// deleted for each message in a big group), each recipient has one cursor: the
// last log id its object confirmed. A delivery reads what follows the cursor
// straight from the log, so everything a member is owed travels in one call
// (coalescing), and a confirmed call is one cursor update. Deliveries run
// concurrently across members, at most CONCURRENCY at a time, so a slow or
// failing member holds one slot and never the others; it backs off and the
// object's alarm brings it back. See docs/groups.md.

import type { InboxMessage } from "../inbox";
import type { GroupLog } from "./log";
import type { Members } from "./members";

export type Deliver = (target: string, items: InboxMessage[]) => Promise<void>;

const BATCH = 200; // log entries per call to one member
const CONCURRENCY = 32; // deliveries in flight per group object
const TIMEOUT_MS = 15_000; // a member that does not answer counts as failed
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 5 * 60_000;
/** A safety net: if the object dies mid-delivery, the alarm resumes this soon. */
export const FANOUT_SAFETY_MS = 5_000;

export class FanOut {
  /** Recipients that may be owed something, in the order they became so. */
  private readonly queue = new Set<string>();
  private readonly inflight = new Set<string>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly log: GroupLog,
    private readonly members: Members,
    /** Public so that tests can wrap it to inject failures. */
    public deliver: Deliver,
    /** Asks the object's alarm to fire no later than the given time. */
    private readonly wakeBy: (time: number) => void,
  ) {}

  /** A cursor for a new member, just before its first entry; a returning one keeps its own. */
  open(user: string, before: string): void {
    this.sql.exec("INSERT INTO cursors (user_id, acked) VALUES (?, ?) ON CONFLICT(user_id) DO NOTHING", user, before);
  }

  /** Starts delivery to these recipients. Call in the same block as the log write. */
  notify(users: readonly string[], now = Date.now()): void {
    this.wakeBy(now + FANOUT_SAFETY_MS);
    for (const user of users) this.queue.add(user);
    this.pump();
  }

  /** What `user` is owed now, oldest first (at most `limit` entries). */
  owedTo(user: string, limit: number): InboxMessage[] {
    const cursor = this.cursor(user);
    return cursor ? this.log.itemsFor(user, cursor.acked, limit) : [];
  }

  /** The alarm's part (and a woken object's): picks up every recipient due. */
  resume(now = Date.now()): void {
    const last = this.log.lastId;
    const due = this.sql
      .exec<{ user_id: string }>("SELECT user_id FROM cursors WHERE acked < ? AND next_at <= ?", last, now)
      .toArray();
    for (const row of due) this.queue.add(row.user_id);
    this.pump();
    const later = this.sql
      .exec<{ at: number | null }>("SELECT min(next_at) AS at FROM cursors WHERE acked < ? AND next_at > ?", last, now)
      .one().at;
    if (later !== null) this.wakeBy(later);
    if (this.busy) this.wakeBy(now + FANOUT_SAFETY_MS);
  }

  get busy(): boolean {
    return this.queue.size > 0 || this.inflight.size > 0;
  }

  /** Recipients whose cursor is behind the log. */
  behind(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM cursors WHERE acked < ?", this.log.lastId).one().n;
  }

  private pump(): void {
    for (const user of this.queue) {
      if (this.inflight.size >= CONCURRENCY) return;
      if (this.inflight.has(user)) continue;
      this.queue.delete(user);
      this.inflight.add(user);
      void this.run(user).finally(() => {
        this.inflight.delete(user);
        this.pump();
      });
    }
  }

  private cursor(user: string) {
    return this.sql
      .exec<{ acked: string; attempts: number; next_at: number }>(
        "SELECT acked, attempts, next_at FROM cursors WHERE user_id = ?",
        user,
      )
      .toArray()[0];
  }

  private async run(user: string): Promise<void> {
    const cursor = this.cursor(user);
    const now = Date.now();
    if (!cursor || cursor.next_at > now) return; // gone, or backing off until the alarm
    const items = this.log.itemsFor(user, cursor.acked, BATCH);
    const last = items.at(-1)?.id;
    if (last === undefined) return this.retire(user, cursor.acked);
    this.wakeBy(now + FANOUT_SAFETY_MS);
    try {
      await withTimeout(this.deliver(user, items), TIMEOUT_MS);
    } catch (err) {
      const delay = Math.min(BACKOFF_BASE_MS * 2 ** cursor.attempts, BACKOFF_MAX_MS);
      const retryAt = Date.now() + delay * (0.75 + Math.random() * 0.5);
      this.sql.exec("UPDATE cursors SET attempts = attempts + 1, next_at = ? WHERE user_id = ?", retryAt, user);
      this.wakeBy(retryAt);
      console.warn(JSON.stringify({ event: "fanout_retry", user, items: items.length, error: String(err) }));
      return;
    }
    this.sql.exec(
      "UPDATE cursors SET acked = ?, attempts = 0, next_at = 0 WHERE user_id = ? AND acked < ?",
      last,
      user,
      last,
    );
    this.members.dropSpansUpTo(user, last);
    // More may be owed (a full batch, or entries added meanwhile); an empty read ends it.
    if (this.log.lastId > last) this.queue.add(user);
  }

  /** Nothing more is owed: a former member's cursor and spans go. */
  private retire(user: string, acked: string): void {
    this.members.dropSpansUpTo(user, acked);
    if (!this.members.owed(user)) this.sql.exec("DELETE FROM cursors WHERE user_id = ?", user);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    if (timer !== null) clearTimeout(timer);
  });
}
