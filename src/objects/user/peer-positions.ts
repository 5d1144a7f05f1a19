// How far the peer of a hosted chat has delivered and read this user's
// messages there, as far as this object holds receipts for it: the host's
// positions at the guest, the guest's at the host (docs/one-copy-per-chat.md,
// "Step 3, as built"). Kept in memory; after a wake, found again as the
// newest id the stored batches (`by` = '*') name per status, among the
// newest receipts rows (a hosted chat's batches are recent, or its positions
// have long been passed on). A batch lost with a crash leaves this behind the
// peer's side, which then hands the difference again: positions only go up.

import type { HeldPositions } from "./hosted-receipts";

/** Receipts rows looked through after a wake, newest first (as a retried receipt is looked for). */
const SCAN_ROWS = 5_000;

const max = (a: string, b: string): string => (a > b ? a : b);

export class PeerPositions {
  private readonly known = new Map<string, HeldPositions>();

  constructor(
    private readonly sql: SqlStorage,
    /** Stores the receipts held in memory (./receipt-hold.ts), before the rows are read. */
    private readonly writeHeld: () => void,
  ) {}

  /** `reader`'s positions in `chat` (as this user names the chat). */
  of(chat: string, reader: string): HeldPositions {
    const known = this.known.get(chat);
    if (known) return known;
    this.writeHeld();
    const rows = this.sql
      .exec<{ status: string; upto: string }>(
        `SELECT r.status AS status, max(j.value) AS upto
           FROM (SELECT chat, by, status, ids FROM receipts ORDER BY seq DESC LIMIT ${SCAN_ROWS}) r,
                json_each(r.ids) g, json_each(g.value) j
          WHERE r.chat = ?1 AND r.by = '*' AND g.key = ?2 GROUP BY r.status`,
        chat,
        reader,
      )
      .toArray();
    const found = { delivered: "", read: "" };
    for (const row of rows) if (row.status === "delivered" || row.status === "read") found[row.status] = row.upto;
    this.known.set(chat, found);
    return found;
  }

  /** Moves them up (never down); answers them. */
  raise(chat: string, reader: string, to: HeldPositions): HeldPositions {
    const at = this.of(chat, reader);
    const raised = { delivered: max(max(at.delivered, to.delivered), to.read), read: max(at.read, to.read) };
    this.known.set(chat, raised);
    return raised;
  }
}
