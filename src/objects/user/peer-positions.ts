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
    /** This user: its own messages are the ones an edit makes unread again. */
    private readonly owner: string,
    /** Stores the receipts held in memory (./receipt-hold.ts), before the rows are read. */
    private readonly writeHeld: () => void,
  ) {}

  /** `reader`'s positions in `chat` (as this user names the chat). */
  of(chat: string, reader: string): HeldPositions {
    const known = this.known.get(chat);
    if (known) return known;
    this.writeHeld();
    const rows = this.sql
      .exec<{ status: string; upto: string; ts: number }>(
        `SELECT r.status AS status, max(j.value) AS upto, max(r.ts) AS ts
           FROM (SELECT chat, by, status, ids, ts FROM receipts ORDER BY seq DESC LIMIT ${SCAN_ROWS}) r,
                json_each(r.ids) g, json_each(g.value) j
          WHERE r.chat = ?1 AND r.by = '*' AND g.key = ?2 GROUP BY r.status`,
        chat,
        reader,
      )
      .toArray();
    const found = { delivered: "", read: "" };
    for (const row of rows) {
      if (row.status === "delivered") found.delivered = row.upto;
      if (row.status === "read") found.read = this.beforeEdits(chat, row.upto, row.ts);
    }
    this.known.set(chat, found);
    return found;
  }

  /**
   * A read position found again after a wake, back before the oldest of this
   * user's messages up to it edited after the newest read batch (`lower` did
   * that in memory before the wake; the batches still name them).
   */
  private beforeEdits(chat: string, read: string, ts: number): string {
    const edited = this.sql
      .exec<{ id: string | null }>(
        "SELECT min(id) AS id FROM messages WHERE chat = ? AND id <= ? AND sender = ? AND pos IS NOT NULL AND edited_at > ?",
        chat,
        read,
        this.owner,
        ts,
      )
      .one().id;
    return edited === null ? read : this.before(chat, edited);
  }

  /** The position just before `id` in the chat: the id of the row before it, or "". */
  private before(chat: string, id: string): string {
    return (
      this.sql
        .exec<{ id: string | null }>("SELECT max(id) AS id FROM messages WHERE chat = ? AND id < ?", chat, id)
        .one().id ?? ""
    );
  }

  /** This user edited its message `id`: read again, it is receipted again (as a group's edit moves its readers back). */
  edited(chat: string, reader: string, id: string): void {
    const at = this.of(chat, reader);
    if (at.read >= id) this.known.set(chat, { ...at, read: this.before(chat, id) });
  }

  /** Moves them up (never down); answers them. */
  raise(chat: string, reader: string, to: HeldPositions): HeldPositions {
    const at = this.of(chat, reader);
    const raised = { delivered: max(max(at.delivered, to.delivered), to.read), read: max(at.read, to.read) };
    this.known.set(chat, raised);
    return raised;
  }
}
