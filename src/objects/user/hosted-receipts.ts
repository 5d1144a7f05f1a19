// The host's delivered and read positions of a hosted chat, passed to the
// guest (docs/one-copy-per-chat.md, "Step 3, as built"). The guest's hosted
// messages are rows here only, so the one-to-one receipt (ids to the
// sender's mailbox through the outbox) has nothing there to name. The
// positions are the chat row's `delivered_upto` and `read_upto`, moved by the
// devices' acknowledgements as for any chat (./mailbox-receipts.ts); the ids
// they newly cover are gathered (./receipt-gather.ts) and handed to the guest
// as one batch per status (`takeHostedReceipts`), with the positions. The
// guest stores a batch as a group's (`by` = '*') and answers the positions it
// holds: when they are behind this side's (a batch lost with a failed call,
// with either object's crash), the ids in between are read from the rows and
// handed again. No outbox row: the positions are the durable record.

import type { Result } from "../../shared/errors";
import type { ReceiptStatus } from "../../shared/protocol";
import type { InboxReceipts } from "../inbox";
import type { UserObject } from "../user-object";
import { shown } from "./hidden";
import type { Mailbox, ReceiptGroup } from "./mailbox";

/** Ids named in one batch at most (the rest follow with the next answer). */
const BATCH_MAX = 1_000;
/** Failed hand-overs are tried again after this, doubling, a few times; then the next acknowledgement does. */
const RETRY_MS = 2_000;
const ATTEMPTS_MAX = 5;

/** What a guest's object answers: the host's positions it holds receipts up to. */
export interface HeldPositions {
  delivered: string;
  read: string;
}

export interface HostedReceiptBatch {
  items: InboxReceipts[];
  /** The host's positions when the batch left. */
  upto: HeldPositions;
  /** What the guest answered last (null: not known since this object woke). */
  from: HeldPositions | null;
}

export interface ReceiptHost {
  userId: string;
  sql: SqlStorage;
  mailbox: Mailbox;
  guest: (id: string) => DurableObjectStub<UserObject>;
  /** A call through the guest's stub failed: the next goes through a new one (a crashed object's stub stays broken). */
  forget: (id: string) => void;
}

export class HostedReceipts {
  /** guest → status → ids gathered. */
  private pending = new Map<string, Map<ReceiptStatus, string[]>>();
  private readonly attempts = new Map<string, number>();
  /** guest → its last answer. */
  private readonly told = new Map<string, HeldPositions>();
  private batches = 0;

  constructor(private readonly me: ReceiptHost) {}

  /** Takes the guest's hosted messages out of a receipt group; answers what goes the old way (null: nothing). */
  take(group: ReceiptGroup, status: ReceiptStatus): ReceiptGroup | null {
    const row = this.me.mailbox.chatRows.get(group.chat);
    if (!row || row.hosted_from === null) return group;
    const rows = this.me.sql
      .exec<{ id: string; hidden: number }>(
        `SELECT id, CASE WHEN ${shown("messages.id")} THEN 0 ELSE 1 END AS hidden
           FROM messages WHERE chat = ? AND id IN (SELECT value FROM json_each(?)) AND pos IS NOT NULL`,
        group.chat,
        JSON.stringify(group.ids),
      )
      .toArray();
    const hosted = new Set(rows.map((r) => r.id));
    if (hosted.size === 0) return group;
    // A row hidden from this side (./hidden.ts: a blocked guest's message, or one deleted for me) was not
    // shown here: it is receipted neither way, so a blocked guest keeps one tick.
    const seen = rows.filter((r) => r.hidden === 0).map((r) => r.id);
    const guest = group.chat.slice(2);
    if (seen.length > 0) {
      const byStatus = this.pending.get(guest) ?? new Map<ReceiptStatus, string[]>();
      byStatus.set(status, [...(byStatus.get(status) ?? []), ...seen]);
      this.pending.set(guest, byStatus);
    }
    const rest = group.ids.filter((id) => !hosted.has(id));
    return rest.length > 0 ? { ...group, ids: rest } : null;
  }

  /** Hands what was taken to each guest: one call per guest, one item per status. */
  flush(now = Date.now()): Promise<unknown> {
    const batch = this.pending;
    this.pending = new Map();
    return Promise.all([...batch].map(([guest, byStatus]) => this.handOver(guest, [...byStatus], now)));
  }

  private item(status: ReceiptStatus, ids: string[], now: number): InboxReceipts {
    return {
      kind: "receipts",
      // Unique per host and batch: the guest stores each once, a batch handed over again too.
      rid: `u:${this.me.userId}.${status}.${now}.${++this.batches}`,
      chat: `u:${this.me.userId}`,
      status,
      ts: now,
      readers: { [this.me.userId]: ids },
    };
  }

  private async handOver(guest: string, lists: [ReceiptStatus, string[]][], now: number, depth = 0): Promise<void> {
    const row = this.me.mailbox.chatRows.get(`u:${guest}`);
    if (!row) return;
    const upto = { delivered: row.delivered_upto, read: row.read_upto };
    const items = lists.filter(([, ids]) => ids.length > 0).map(([status, ids]) => this.item(status, ids, now));
    const from = this.told.get(guest) ?? null;
    let answer: Result<HeldPositions>;
    try {
      answer = await this.me.guest(guest).takeHostedReceipts(this.me.userId, { items, upto, from });
    } catch (err) {
      console.warn(JSON.stringify({ event: "hosted_receipts_failed", guest, error: String(err) }));
      this.told.delete(guest);
      this.me.forget(guest);
      this.retryLater(guest);
      return;
    }
    this.attempts.delete(guest);
    if (!answer.ok) {
      console.warn(JSON.stringify({ event: "hosted_receipts_refused", guest, code: answer.error.code }));
      return;
    }
    this.told.set(guest, answer.value);
    // Bounded: each round moves the guest's positions to this side's (BATCH_MAX ids a status at most).
    const sent = new Set(items.flatMap((item) => item.readers[this.me.userId] ?? []));
    const missing = depth < 3 ? this.missing(guest, answer.value, upto, sent) : [];
    if (missing.length > 0) await this.handOver(guest, missing, Date.now(), depth + 1);
  }

  /** After a failed call: a batch of nothing asks the guest what it holds, and what it lacks follows. */
  private retryLater(guest: string): void {
    const attempts = this.attempts.get(guest) ?? 0;
    if (attempts >= ATTEMPTS_MAX) {
      this.attempts.delete(guest);
      return;
    }
    this.attempts.set(guest, attempts + 1);
    setTimeout(() => void this.handOver(guest, [], Date.now()), RETRY_MS * 2 ** attempts);
  }

  /**
   * The guest's messages between what the guest holds and this side's
   * positions: read ones as read, the others up to the delivered position as
   * delivered (a read implies delivered). Messages an edit made unread again
   * wait for their next read.
   */
  private missing(
    guest: string,
    held: HeldPositions,
    upto: HeldPositions,
    sent: Set<string>,
  ): [ReceiptStatus, string[]][] {
    // Up to the batch's own positions only: what moved since is gathered and follows in the next batch.
    const chat = `u:${guest}`;
    const between = (after: string, upTo: string, unreadToo: boolean): string[] =>
      upTo <= after
        ? []
        : this.me.sql
            .exec<{ id: string }>(
              `SELECT id FROM messages WHERE chat = ? AND id > ? AND id <= ? AND sender = ? AND pos IS NOT NULL
                 AND system IS NULL ${unreadToo ? "" : "AND unread_mark IS NULL"} AND ${shown("messages.id")}
               ORDER BY id LIMIT ${BATCH_MAX}`,
              chat,
              after,
              upTo,
              guest,
            )
            .toArray()
            .map((r) => r.id)
            .filter((id) => !sent.has(id));
    const read = between(held.read, upto.read, false);
    const floor = [held.delivered, held.read, upto.read].sort().at(-1) ?? "";
    const delivered = between(floor, upto.delivered, true);
    const out: [ReceiptStatus, string[]][] = [];
    if (read.length > 0) out.push(["read", read]);
    if (delivered.length > 0) out.push(["delivered", delivered]);
    return out;
  }
}
