// Moving the oldest pages of a user's mailbox to R2 (docs/archive.md, "The
// mailbox"), with the shared modules of ../storage/archive-*. A page is a
// range of seqs; it holds the `messages` rows of that range (receipts,
// changes and group runs share the seqs and stay in SQLite), except the
// rows the synchronous paths need: each chat's newest message (the chat list
// joins it) and group messages stored before schema step 8. One page per step,
// from the object's alarm:
//   1. fix the page's range: an `archive_pages` row in state `writing` (its own transaction);
//   2. PUT the compressed rows to R2 under a key made of that range (the same key if repeated);
//   3. in one transaction, if the rows are still what was PUT: delete them (the
//      search index follows by trigger), record the page's chats, mark it `done`.
// A crash after 1 or 2 leaves a `writing` row whose rows are all in SQLite:
// the next step writes the page again, under the same key, and finishes it.
// A row changed meanwhile (an edit that arrived) is caught at 3: the page is
// written again. A writing range with no rows left is discarded.

import { encodePage } from "../storage/archive-codec";
import type { ArchiveConfig } from "../storage/archive-config";
import type { ArchivePage } from "../storage/archive-index";
import { ArchiveWriter, type StepResult } from "../storage/archive-writer";
import { shown } from "./hidden";
import { MESSAGE_COLUMNS, type MessageRow } from "./mailbox";
import { ArchiveChats } from "./mailbox-archive-index";
import { type ChatRows, chatsNow } from "./mailbox-chats";

export type { PutPage, StepResult } from "../storage/archive-writer";

/**
 * Rows that stay in SQLite whatever their age: each chat's newest (the chat
 * list) and legacy group copies. The chat rows as they are now, in memory too
 * (./mailbox-chats.ts): `param` is bound to `ChatRows.unwritten()`. A hosted
 * row the owner deleted for itself goes too, marked `hidden` in its page.
 */
const kept = (param: number) => `(chat LIKE 'g:%' OR id IN (SELECT last_id FROM (${chatsNow(param)})))`;

/**
 * A row as a page holds it: the message columns, and for a row of a chat
 * hosted here its position and the guest's seq, and `hidden` if the owner
 * deleted it for itself (./hidden.ts; a delete for me of an archived row is
 * refused, so the mark cannot change once archived). A key is left out when
 * it is NULL: other chats' pages stay as they were, and a page written before
 * these keys reads as NULL (docs/archive.md, "Hosted rows in pages").
 */
export type ArchivedRow = MessageRow & { pos?: number; guest_seq?: number; hidden?: 1 };
const PAGE_COLUMNS = `${MESSAGE_COLUMNS}, pos, guest_seq, CASE WHEN ${shown("messages.id")} THEN NULL ELSE 1 END AS hidden`;
const OPTIONAL = ["pos", "guest_seq", "hidden"] as const;

/** The position of an archived row in its hosted log (null: none, or a page from before positions). */
export function posOf(row: ArchivedRow): number | null {
  return typeof row.pos === "number" ? row.pos : null;
}
/** While a peer has not confirmed an own message of the page, look again this much later. */
const BEHIND_RETRY_MS = 60_000;
/** A page whose rows changed between the PUT and the delete is written again, at most this often per step. */
const REWRITES_MAX = 3;

type Next = { first: number; last: number } | { at: number } | null;

export class MailboxArchive extends ArchiveWriter<ArchivedRow> {
  readonly chats: ArchiveChats;
  /** The lowest seq not in a page (done or being written). */
  private hotFrom: number;

  constructor(
    storage: DurableObjectStorage,
    bucket: R2Bucket,
    private readonly userId: string,
    config: ArchiveConfig,
    /** Its `last_id` and `handed` are read as they are in memory, stored or not: looking writes nothing. */
    private readonly chatRows: ChatRows,
    /** Hands what peers confirmed (peer-log.ts, in memory) to the chat rows (in memory), before a page is chosen. */
    private readonly settle: () => void = () => {},
  ) {
    super(storage, bucket, { kind: "u", id: userId }, config, { positionColumn: "seq", sparse: true });
    this.chats = new ArchiveChats(storage.sql, this.index);
    this.hotFrom = this.readHotFrom();
  }

  /** Every seq below this is in a done page or kept (see KEPT). */
  get archivedUpTo(): number {
    return (
      this.storage.sql
        .exec<{ last: number | null }>("SELECT max(last) AS last FROM archive_pages WHERE state = 'done'")
        .one().last ?? 0
    );
  }

  /** Whether the mailbox may hold a page's worth beyond the archive: cheap (memory only). */
  mayBeFull(lastSeq: number): boolean {
    return lastSeq - this.hotFrom + 1 > this.config.pageEntries;
  }

  /** When the next step is worth running (null: not before more arrives). */
  nextAt(now = Date.now()): number | null {
    if (this.index.pending()) return now;
    // What it reads of the chat rows (each chat's newest message, what its peer confirmed) must be
    // current: a stale row would hold the wrong one back.
    this.settle();
    const next = this.next(now);
    if (next === null) return null;
    return "at" in next ? next.at : now;
  }

  /** One page: finishes one left half-written, or starts and finishes the next one due. */
  step(now = Date.now()): Promise<StepResult> {
    return this.serially(() => this.run(now));
  }

  private async run(now: number): Promise<StepResult> {
    this.settle();
    let page = this.index.pending();
    if (!page) {
      const next = this.next(now);
      if (next === null || "at" in next) return null;
      const ids = this.rowsIn(next.first, next.last);
      const fixed = {
        ...next,
        firstId: ids[0]?.id ?? "",
        lastId: ids.at(-1)?.id ?? "",
        key: this.key(next.first, next.last),
      };
      this.storage.transactionSync(() => this.index.begin(fixed, now));
      this.hotFrom = next.last + 1;
      page = { ...fixed, state: "writing", sha256: null, bytes: null };
    }
    for (let i = 0; i < REWRITES_MAX; i++) {
      const done = await this.write(page, now);
      if (done !== "changed") return done;
    }
    return null; // rows keep changing: the alarm tries again later
  }

  private async write(page: ArchivePage, now: number): Promise<StepResult | "changed"> {
    const rows = this.rowsIn(page.first, page.last);
    if (rows.length === 0) {
      // Nothing of the range is left (deleted for me, say): the page goes, with whatever reached R2.
      return this.discard(page, () => {
        this.hotFrom = this.readHotFrom();
      });
    }
    const encoded = await encodePage(page, rows);
    await this.put(page.key, encoded.bytes, encoded.sha256);
    const sql = this.storage.sql;
    const rowsWritten = this.storage.transactionSync(() => {
      // The rows must still be what R2 holds: an edit or delete that arrived meanwhile rewrites the page.
      if (JSON.stringify(this.rowsIn(page.first, page.last)) !== JSON.stringify(rows)) return null;
      const seqs = JSON.stringify(rows.map((row) => row.seq));
      const deleted = sql.exec("DELETE FROM messages WHERE seq IN (SELECT value FROM json_each(?))", seqs);
      deleted.toArray();
      this.chats.record(page.first, rows);
      const ids = rows.map((row) => row.id).sort();
      sql.exec(
        "UPDATE archive_pages SET first_id = ?, last_id = ? WHERE first = ?",
        ids[0] ?? "",
        ids.at(-1) ?? "",
        page.first,
      );
      this.index.finish(page, encoded.sha256, encoded.bytes.length, now);
      return deleted.rowsWritten + 2; // + the index row (begin, finish); the chats rows are few per page
    });
    if (rowsWritten === null) return "changed";
    const written = { page: page.key, messages: rows.length, bytes: encoded.bytes.length, rowsWritten };
    console.log(JSON.stringify(this.logLine("archive_page_written", written)));
    return "written";
  }

  /** The rows a page of this range holds now, in seq order. */
  private rowsIn(first: number, last: number): ArchivedRow[] {
    const rows = this.storage.sql
      .exec<Record<string, SqlStorageValue>>(
        `SELECT ${PAGE_COLUMNS} FROM messages WHERE seq BETWEEN ?1 AND ?2 AND NOT ${kept(3)} ORDER BY seq`,
        first,
        last,
        this.chatRows.unwritten(),
      )
      .toArray();
    for (const row of rows) for (const key of OPTIONAL) if (row[key] === null) delete row[key];
    return rows as unknown as ArchivedRow[];
  }

  private next(now: number): Next {
    const { pageEntries } = this.config;
    const sql = this.storage.sql;
    const taken = sql
      .exec<{ seq: number; ts: number }>(
        `SELECT seq, ts FROM messages WHERE seq >= ?1 AND NOT ${kept(3)} ORDER BY seq LIMIT ?2`,
        this.hotFrom,
        pageEntries,
        this.chatRows.unwritten(),
      )
      .toArray();
    const edge = taken.at(-1);
    if (taken.length < pageEntries || !edge) return null; // not a full page
    // Never the newest message: the seq counter is read back from the greatest seq stored (counters.ts).
    const newest = sql.exec<{ seq: number | null }>("SELECT max(seq) AS seq FROM messages").one().seq ?? 0;
    if (edge.seq >= newest) return null;
    // Own one-to-one messages are delivered from the mailbox (peer-log.ts): each must be confirmed first.
    const owed = sql
      .exec(
        `SELECT 1 FROM messages m JOIN (${chatsNow(5)}) c ON c.chat = m.chat
         WHERE m.seq BETWEEN ?1 AND ?2 AND m.sender = ?3 AND m.chat != ?4 AND m.id > coalesce(c.handed, '') LIMIT 1`,
        this.hotFrom,
        edge.seq,
        this.userId,
        `u:${this.userId}`,
        this.chatRows.unwritten(),
      )
      .toArray();
    if (owed.length > 0) return { at: now + BEHIND_RETRY_MS };
    const due = this.dueAt(Math.max(...taken.map((row) => row.ts)));
    if (due > now) return { at: due };
    return { first: this.hotFrom, last: edge.seq };
  }

  private readHotFrom(): number {
    const last = this.storage.sql.exec<{ last: number | null }>("SELECT max(last) AS last FROM archive_pages").one();
    return (last.last ?? 0) + 1;
  }
}

/** After a failed step (R2 down, say), try again this much later. */
const FAILED_RETRY_MS = 60_000;
/** A busy mailbox looks for a due page at most this often. */
const LOOK_EVERY_MS = 60_000;

/**
 * When the archive runs: from the object's alarm, one page a wake, the next a
 * little later. Looked at after each batch of writes (cheap: memory only
 * until a page's worth of seqs is in SQLite, then a few reads a minute).
 */
export class MailboxArchiveAlarm {
  private armed = false;
  private lookedAt = 0;

  constructor(
    private readonly archive: MailboxArchive,
    private readonly lastSeq: () => number,
    private readonly ask: (at: number) => void,
  ) {
    // A page left half-written by the object's last life is finished first thing.
    if (archive.index.pending()) this.arm(Date.now());
  }

  /** Whether the alarm is asked for a step (the object must not cancel it). */
  get waiting(): boolean {
    return this.armed;
  }

  async step(now = Date.now()): Promise<StepResult> {
    this.armed = false;
    this.lookedAt = 0; // the next batch of writes looks again
    let done: StepResult;
    try {
      done = await this.archive.step(now);
    } catch (err) {
      console.error(JSON.stringify({ event: "archive_step_failed", error: String(err) }));
      this.arm(now + FAILED_RETRY_MS);
      return null;
    }
    const next = done ? now + this.archive.config.stepGapMs : this.archive.nextAt(now);
    if (next !== null) this.arm(next);
    return done;
  }

  /** After a batch of writes. */
  wrote(now = Date.now()): void {
    if (this.armed || now - this.lookedAt < LOOK_EVERY_MS || !this.archive.mayBeFull(this.lastSeq())) return;
    this.lookedAt = now;
    const at = this.archive.nextAt(now);
    if (at !== null) this.arm(at);
  }

  private arm(at: number): void {
    this.ask(at);
    this.armed = true;
  }
}
