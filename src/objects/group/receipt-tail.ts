// The log's recent messages as receipts see them (./receipts.ts), held once
// for every member. At each acknowledgement the group works out which
// messages it newly covers; in a busy group every member covers the same few
// positions, so a statement per member per acknowledgement (most of the
// receipts' cost at 1,000 members) becomes a walk of this array. Only what a
// receipt can name is kept: others' messages, not system entries nor changes.
//
// It answers only where the SQL would say the same: for a member now whose
// window began at or before `after` (so every later id is readable to it),
// within what it has loaded, and never below the first position still in
// SQLite (the archive deletes pages of the log; the statement sees only the
// rest). Ids and positions only grow and a row's id, sender, system and target
// never change, so a loaded row stays true; new rows are read when an
// acknowledgement reaches past the last id loaded.

/** A message a receipt can name. */
interface Named {
  pos: number;
  id: string;
  sender: string;
}

type NamedRow = { pos: number; id: string; sender: string; named: number };

/** Log entries read when the tail is first needed. */
const LOAD = 1_000;
/** Messages kept at most; beyond it the older half goes. */
const KEEP_MAX = 8_192;

export class ReceiptTail {
  private rows: Named[] = [];
  /** Every message with an id above it, up to `top`, is in `rows` (null: not loaded yet). */
  private base: string | null = null;
  /** The last log id read. */
  private top = "";

  constructor(
    private readonly sql: SqlStorage,
    /** The first log position still in SQLite. */
    private readonly hotStart: () => number,
  ) {}

  /**
   * Messages of others than `member` in (after, upTo] and from `since` on,
   * oldest first, at most `max`; null where this tail does not cover the
   * range (the caller asks SQL). `since` is the start of a member's only
   * window: a member's first read or first "delivered" has `after` = "".
   */
  between(member: string, after: string, upTo: string, max: number, since = ""): Named[] | null {
    if (this.base === null) this.load();
    if (this.base === null) return null;
    // Held: every id above `base`. Asked: ids above `after`, and `since` itself when it is the bound.
    const fromSince = since > after;
    if (fromSince ? since <= this.base : after < this.base) return null;
    if (upTo > this.top) this.extend();
    if (upTo > this.top) return null;
    const hot = this.hotStart();
    const out: Named[] = [];
    for (
      let i = fromSince ? this.firstFrom(since) : this.firstAfter(after);
      i < this.rows.length && out.length < max;
      i++
    ) {
      const row = this.rows[i] as Named;
      if (row.id > upTo) break;
      if (row.sender !== member && row.pos >= hot) out.push(row);
    }
    return out;
  }

  private load(): void {
    const rows = this.sql
      .exec<NamedRow>(
        "SELECT pos, id, sender, system IS NULL AND target IS NULL AS named FROM log ORDER BY pos DESC LIMIT ?",
        LOAD,
      )
      .toArray()
      .reverse();
    // Fewer than asked: the whole log in SQLite is here.
    this.base = rows.length < LOAD ? "" : (rows[0]?.id ?? "");
    this.top = rows.at(-1)?.id ?? "";
    this.rows = rows.filter((row) => row.named).map(({ pos, id, sender }) => ({ pos, id, sender }));
  }

  private extend(): void {
    const rows = this.sql
      .exec<NamedRow>(
        "SELECT pos, id, sender, system IS NULL AND target IS NULL AS named FROM log WHERE id > ? ORDER BY pos",
        this.top,
      )
      .toArray();
    for (const { pos, id, sender, named } of rows) if (named) this.rows.push({ pos, id, sender });
    this.top = rows.at(-1)?.id ?? this.top;
    if (this.rows.length > KEEP_MAX) {
      const dropped = this.rows.splice(0, this.rows.length - KEEP_MAX / 2);
      this.base = dropped.at(-1)?.id ?? this.base;
    }
  }

  /** The index of the first row with an id above `after`. */
  private firstAfter(after: string): number {
    return this.search((id) => id > after);
  }

  /** The index of the first row with an id at or above `since`. */
  private firstFrom(since: string): number {
    return this.search((id) => id >= since);
  }

  /** The first index whose id passes `past` (ids ascend, so those that pass are a suffix). */
  private search(past: (id: string) => boolean): number {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (past((this.rows[mid] as Named).id)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
