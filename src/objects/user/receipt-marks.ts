// When each reader got and read each message this user sent: what "message
// info" shows (GET /api/chats/:chat/messages/:id/receipts). The receipts
// table keeps the frames for sync; for a group message this keeps the latest
// state per reader. A one-to-one message has one reader, and its times are
// read from the receipts log itself (ofOneToOne): a mark per message was two
// rows written per message that the log already holds (schema step 7).
//
// An edit resets the reads of its message (readers see new text), and a read
// receipt made before the edit no longer counts, even if it arrives after it.

import type { ReaderReceipt } from "../../shared/protocol";

export class ReceiptMarks {
  constructor(
    private readonly sql: SqlStorage,
    /** Stores the receipts held in memory (./receipt-hold.ts), before they are read. */
    private readonly writeHeld: () => void = () => {},
  ) {}

  resetReads(id: string): void {
    this.sql.exec("UPDATE receipt_marks SET read_at = NULL WHERE id = ?", id);
  }

  forget(id: string): void {
    this.sql.exec("DELETE FROM receipt_marks WHERE id = ?", id);
  }

  /**
   * The peer's times for a one-to-one message, from the receipts that name
   * it: they all came after it (a greater seq), delivered is the first of
   * any (a read implies it), read the first read made after its last edit.
   */
  ofOneToOne(message: { id: string; chat: string; seq: number; editedAt?: number }): ReaderReceipt[] {
    this.writeHeld();
    const row = this.sql
      .exec<{ delivered: number | null; read: number | null }>(
        `SELECT min(r.ts) AS delivered, min(CASE WHEN r.status = 'read' AND r.ts >= ?1 THEN r.ts END) AS read
         FROM receipts r, json_each(r.ids) j
         WHERE r.seq > ?2 AND r.chat = ?3 AND j.value = ?4`,
        message.editedAt ?? 0,
        message.seq,
        message.chat,
        message.id,
      )
      .one();
    if (row.delivered === null) return [];
    return [{ user: message.chat.slice(2), deliveredAt: row.delivered, readAt: row.read }];
  }

  /**
   * Each reader's times for a group message, from the gathered receipts that
   * name it (group/receipts.ts), as for one-to-one; readers with none yet are
   * left out. Marks kept by older code (before schema step 8) come first.
   */
  ofGroup(message: { id: string; chat: string; seq: number; editedAt?: number }): Map<string, ReaderReceipt> {
    this.writeHeld();
    const marks = this.of(message.id);
    const times = `min(r.ts) AS delivered, min(CASE WHEN r.status = 'read' AND r.ts >= ?1 THEN r.ts END) AS read`;
    const rows = this.sql
      .exec<{ by: string; delivered: number; read: number | null }>(
        `SELECT r.by AS by, ${times} FROM receipts r, json_each(r.ids) j
         WHERE r.seq > ?2 AND r.chat = ?3 AND r.by != '*' AND j.value = ?4 GROUP BY r.by
         UNION ALL
         SELECT g.key AS by, ${times} FROM receipts r, json_each(r.ids) g, json_each(g.value) j
         WHERE r.seq > ?2 AND r.chat = ?3 AND r.by = '*' AND j.value = ?4 GROUP BY g.key`,
        message.editedAt ?? 0,
        message.seq,
        message.chat,
        message.id,
      )
      .toArray();
    for (const row of rows) {
      const earlier = marks.get(row.by);
      const delivered = Math.min(earlier?.deliveredAt ?? row.delivered, row.delivered);
      const read = [earlier?.readAt, row.read].filter((t): t is number => typeof t === "number");
      marks.set(row.by, { user: row.by, deliveredAt: delivered, readAt: read.length ? Math.min(...read) : null });
    }
    return marks;
  }

  of(id: string): Map<string, ReaderReceipt> {
    const rows = this.sql
      .exec<{ reader: string; delivered_at: number | null; read_at: number | null }>(
        "SELECT reader, delivered_at, read_at FROM receipt_marks WHERE id = ?",
        id,
      )
      .toArray();
    return new Map(rows.map((r) => [r.reader, { user: r.reader, deliveredAt: r.delivered_at, readAt: r.read_at }]));
  }
}
