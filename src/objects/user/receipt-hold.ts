// Receipts that reached the sender's object (a reader's one-to-one receipt,
// ./receipt-gather.ts, or a group's batch of its members'), shown on the sender's devices at once and stored with
// the next commit this object makes anyway: the write batch's (a send, a
// delivery), or after RECEIPT_HOLD_MS by one of their own. At one message a
// second each way, the receipts row was a commit of its own for most
// messages (an fsync locally, a replicated write deployed: about a quarter of
// a one-to-one message's bytes on disk; docs/architecture.md).
//
// What a crash loses is the receipts held, at most RECEIPT_HOLD_MS of them: a
// tick, as the reader's gathering window already may (the message itself is
// stored on both sides). Their seqs are on no frame, so a lost one leaves no
// device's cursor past a seq that a later entry then takes. Every read of the
// receipts table (sync, message info) writes what is held first.

/** How long a receipt waits for a commit to ride before it makes one of its own. */
export const RECEIPT_HOLD_MS = 2_000;

export interface HeldReceipt {
  seq: number;
  rid: string;
  chat: string;
  /** JSON: the ids, as the receipts row keeps them. */
  ids: string;
  status: string;
  by: string;
  ts: number;
}

export class ReceiptHold {
  private rows: HeldReceipt[] = [];
  private readonly rids = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** `later` runs a write in a batch of its own; without it (tests building a mailbox alone) nothing is held. */
  constructor(
    private readonly sql: SqlStorage,
    private readonly later: ((write: () => void) => void) | null = null,
  ) {}

  /** A receipt with this rid waits here (a repeat, after a lost answer). */
  holds(rid: string): boolean {
    return this.rids.has(rid);
  }

  hold(row: HeldReceipt): void {
    this.rows.push(row);
    this.rids.add(row.rid);
    if (this.later === null) {
      this.write();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.later?.(() => this.write());
    }, RECEIPT_HOLD_MS);
  }

  /** Stores what is held (in the caller's commit). */
  write(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.rows.length === 0) return;
    const rows = this.rows;
    this.rows = [];
    this.rids.clear();
    for (const r of rows) {
      this.sql.exec(
        "INSERT INTO receipts (seq, rid, chat, ids, status, by, ts) VALUES (?, ?, ?, ?, ?, ?, ?)",
        r.seq,
        r.rid,
        r.chat,
        r.ids,
        r.status,
        r.by,
        r.ts,
      );
    }
  }
}
