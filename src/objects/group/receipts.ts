// Group receipts as watermarks. A member's object tells the group how far its
// devices got ("delivered up to", "read up to"; UserObject gathers its
// devices' acknowledgements first); the group keeps one pair of positions per
// member beside its cursor (written in batches by the fan-out's flush), works
// out which messages that newly covers, and passes them on to their senders
// gathered: one call and one stored row per sender and status per batch
// (RECEIPT_BATCH_MS), whatever the number of readers, not one call and one row
// per member per message.
//
// Crashes: what is gathered in memory is lost with the object, and a
// watermark flushed before its receipts left would hide them; so a due batch
// of watermarks is written 600 ms after it is due (./cursors.ts), after this
// batch's 250 ms, and a lost batch is sent again by the member's next acknowledgement only if the
// watermark had not reached storage. Positions only go up. See docs/groups.md.

import type { InboxReceipts } from "../inbox";
import type { FanOut } from "./fanout";
import type { GroupLog } from "./log";
import type { Members } from "./members";
import type { ReceiptTail } from "./receipt-tail";
import { READABLE as readableBy } from "./views";

export type SendReceipts = (sender: string, items: InboxReceipts[]) => Promise<unknown>;

/** How long receipts gather before they go to their senders. */
export const RECEIPT_BATCH_MS = 250;
const NEWLY_MAX = 1_000; // messages one acknowledgement can cover at once

/** Readable by the member bound as ?1 (the windows of ./views.ts). */
const READABLE = readableBy("log.id", "?1");

export class GroupReceipts {
  /** sender → status → the batch being gathered. */
  private pending = new Map<string, Map<string, InboxReceipts>>();
  /** Failed hand-overs, tried again with the next batch, a few times (a sender's object being moved). */
  private retries = new Map<string, { items: InboxReceipts[]; attempts: number }>();
  private batches = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly log: GroupLog,
    private readonly fanout: FanOut,
    private readonly send: SendReceipts,
    /** Shares the `newly` read among members (see ./receipt-tail.ts); without it, SQL per member. */
    private readonly shared: { members: Members; tail: ReceiptTail } | null = null,
  ) {}

  /**
   * A member's devices got (or read) the group up to these ids. Answers the
   * member's unread count after its read position, up to `upto` (the newest
   * entry its object took), when it read.
   */
  ack(member: string, delivered: string, read: string, upto: string, now = Date.now()): { unread: number | null } {
    const marks = this.fanout.marksOf(member);
    if (!marks) return { unread: null };
    const reached = delivered > read ? delivered : read;
    // A read implies delivered: its receipt alone says both (as in one-to-one chats).
    if (read > marks.read) this.gather(member, "read", this.newly(member, marks.read, read), now);
    // biome-ignore lint/complexity/useMathMinMax: positions are ids (strings), which Math.max cannot compare
    let floor = marks.delivered > marks.read ? marks.delivered : marks.read;
    if (read > floor) floor = read;
    if (delivered > floor) this.gather(member, "delivered", this.newly(member, floor, delivered), now);
    this.fanout.cursors.setWatermarks(member, reached, read);
    // No count without a read, nor for a read that came on a push's answer (no `upto`: the member counted it).
    if (read === "" || upto === "") return { unread: null };
    return { unread: this.unread(member, read > marks.read ? read : marks.read, upto) };
  }

  /** Others' messages `member` may read after `after`, up to `upto`: its unread count. */
  unread(member: string, after: string, upto: string): number {
    return this.sql
      .exec<{ n: number }>(
        `SELECT count(*) AS n FROM log WHERE id > ?2 AND id <= ?3 AND sender != ?1
           AND system IS NULL AND target IS NULL AND deleted_at IS NULL AND ${READABLE}`,
        member,
        after,
        upto,
      )
      .one().n;
  }

  /** Others' messages `member` may read in (after, upTo], by sender. */
  private newly(member: string, after: string, upTo: string): Map<string, string[]> {
    const rows = this.sharedNewly(member, after, upTo) ?? this.sqlNewly(member, after, upTo);
    const bySender = new Map<string, string[]>();
    for (const row of rows) {
      const ids = bySender.get(row.sender) ?? [];
      ids.push(row.id);
      bySender.set(row.sender, ids);
    }
    return bySender;
  }

  /**
   * `newly` from the shared tail (null: SQL decides), for a member now whose
   * window holds every id after `after`, or whose only window is the one it
   * is in (its first read or "delivered" after joining: `after` below `since`).
   */
  private sharedNewly(member: string, after: string, upTo: string): { id: string; sender: string }[] | null {
    if (!this.shared) return null;
    const since = this.shared.members.sinceOf(member);
    if (since === null) return null;
    if (since <= after) return this.shared.tail.between(member, after, upTo, NEWLY_MAX);
    if (this.shared.members.hasPast(member)) return null;
    return this.shared.tail.between(member, after, upTo, NEWLY_MAX, since);
  }

  private sqlNewly(member: string, after: string, upTo: string): { id: string; sender: string }[] {
    return this.sql
      .exec<{ id: string; sender: string }>(
        `SELECT id, sender FROM log WHERE id > ?2 AND id <= ?3 AND sender != ?1
           AND system IS NULL AND target IS NULL AND ${READABLE} ORDER BY pos LIMIT ?4`,
        member,
        after,
        upTo,
        NEWLY_MAX,
      )
      .toArray();
  }

  private gather(by: string, status: "delivered" | "read", bySender: Map<string, string[]>, now: number): void {
    for (const [sender, ids] of bySender) {
      let forSender = this.pending.get(sender);
      if (!forSender) {
        forSender = new Map();
        this.pending.set(sender, forSender);
      }
      let item = forSender.get(status);
      if (!item) {
        item = { kind: "receipts", rid: "", chat: this.log.chat, status, ts: now, readers: {} };
        forSender.set(status, item);
      }
      item.ts = now;
      item.readers[by] = [...(item.readers[by] ?? []), ...ids];
    }
    this.schedule(RECEIPT_BATCH_MS);
  }

  private schedule(ms: number): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flush();
    }, ms);
  }

  /** Hands every gathered receipt to its sender: one call per sender. */
  flush(): void {
    const batch = this.pending;
    this.pending = new Map();
    const retries = this.retries;
    this.retries = new Map();
    for (const [sender, items] of batch) {
      const receipts = [...items.values()].map((item) => ({
        ...item,
        // Unique per group and batch: the sender's mailbox stores each once, a retried one too.
        rid: `${this.log.chat}.${item.status}.${item.ts}.${++this.batches}`,
      }));
      this.handOver(sender, receipts, 0);
    }
    for (const [sender, retry] of retries) {
      const items = retry.items.map((item): InboxReceipts => ({ ...item, retry: true }));
      this.handOver(sender, items, retry.attempts);
    }
  }

  private handOver(sender: string, items: InboxReceipts[], attempts: number): void {
    this.send(sender, items).catch((err: unknown) => {
      console.warn(JSON.stringify({ event: "group_receipts_failed", sender, attempts, error: String(err) }));
      if (attempts >= 5) return;
      const earlier = this.retries.get(sender)?.items ?? [];
      this.retries.set(sender, { items: [...earlier, ...items], attempts: attempts + 1 });
      this.schedule(RECEIPT_BATCH_MS * 2 ** (attempts + 2));
    });
  }
}
