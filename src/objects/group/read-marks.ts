// Members' read positions, gathered into one durable record (issue 16). A
// member's read cannot be taken again from the log, and its chat list is made
// of its stored rows: a read used to write the member's row at once, a row per
// member per read. Instead the group keeps, in one row of its meta table, every
// read position its cursor rows (./cursors.ts, written in batches) do not hold
// yet, and writes that one row once per READ_BATCH_MS window for all the reads
// that came in it (live readers read up to the same message within a second of
// each other). A member's `read` call is answered only once its position is
// stored here, so a read answered is never lost (a read up to the newest entry
// the member took comes gathered instead, on a push's answer: ../user/group-acks.ts,
// and is stored the same way); a member whose own row lags
// (evicted before its batch) gets its read position and unread count back
// from the group's pull at its next wake (user/group-reads.ts).

import type { Meta } from "../storage/meta";

const KEY = "read_marks";
/** How long reads gather before their one row is written (the read's answer waits that long). */
export const READ_BATCH_MS = 100;

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class ReadMarks {
  /** Read positions the cursor rows may not hold: what the record holds, and what it will at the next write. */
  private unsaved: Map<string, string> | null = null;
  private readonly pending = new Set<string>();
  private waiters: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly meta: Meta) {}

  private load(): Map<string, string> {
    if (!this.unsaved) {
      const raw = this.meta.get(KEY);
      this.unsaved = new Map(raw ? Object.entries(JSON.parse(raw) as Record<string, string>) : []);
    }
    return this.unsaved;
  }

  /** The read position of `user` the record holds beyond its cursor row ("" : none). */
  of(user: string): string {
    return this.load().get(user) ?? "";
  }

  /** `user` read up to `read` (in memory): the record takes it with the next write. */
  moved(user: string, read: string): void {
    this.load().set(user, read);
    this.pending.add(user);
    this.timer ??= setTimeout(() => this.flush(), READ_BATCH_MS);
  }

  /** Resolves once the read position of `user` is stored (at once if nothing of its waits). */
  stored(user: string): Promise<void> {
    if (!this.pending.has(user)) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** The cursor row of `user` was written with `read`: the record need not hold it any more. */
  written(user: string, read: string): void {
    const unsaved = this.load();
    const held = unsaved.get(user);
    if (held !== undefined && held <= read && !this.pending.has(user)) unsaved.delete(user);
  }

  /** An edit moved every read at or past `id` back to `below` (./cursors.ts): the record too, at once. */
  lower(id: string, below: string): void {
    const unsaved = this.load();
    for (const [user, read] of unsaved) if (read >= id) unsaved.set(user, below);
    this.write();
  }

  /** Writes the record: one row, whatever the number of readers. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const waiters = this.waiters;
    this.waiters = [];
    try {
      if (this.pending.size > 0) this.write();
    } catch (err) {
      for (const w of waiters) w.reject(err);
      return;
    }
    for (const w of waiters) w.resolve();
  }

  private write(): void {
    this.meta.set(KEY, JSON.stringify(Object.fromEntries(this.load())));
    this.pending.clear();
  }
}
