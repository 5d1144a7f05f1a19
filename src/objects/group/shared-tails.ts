// The log after one cursor position, read once and shared by every member
// whose cursor stands there. In a busy group every member now stands where
// the last push left it, so a push reads the log and makes each message's
// view once per position rather than once per member (./fanout.ts), and the
// members evicted before their batch was written pull from one position
// together (./pull.ts). Each answer is what
// `LogViews.scanFor` would give that member, or null where its windows
// decide and the caller scans (./views.ts).

import type { GroupEntry } from "../group-entry";
import type { ArchivedLog } from "./archive-reads";
import { LOG_COLUMNS, type LogEntry, type LogRow, toLogEntry } from "./log";

/** The log after one cursor, as a push reads it, shared by every recipient standing there. */
interface SharedTail {
  entries: LogEntry[];
  /** Each message entry as anyone but its sender sees it, made once. */
  views: (GroupEntry | undefined)[];
}

type Page = { entries: GroupEntry[]; through: string | null };

/** Tails kept at once: a few cursor positions are live in a busy group. */
const TAILS_MAX = 16;

export class SharedTails {
  /** Tails by cursor, valid while the database's change count stays at `stamp` (any write empties them). */
  private tails = new Map<string, SharedTail>();
  private stamp = -1;

  constructor(
    private readonly sql: SqlStorage,
    private readonly archived: ArchivedLog | null,
    /** An entry as a reader sees it (`LogViews.view`). */
    private readonly view: (entry: LogEntry, reader: string) => GroupEntry,
  ) {}

  /**
   * `scanFor(user, after, limit)` for a member now (joined at `since`, at or
   * before `after`) with no past span owed, which is every member of a busy
   * group. Null where the windows decide (a change of a message from before
   * the member joined): the caller scans.
   */
  owed(user: string, since: string, after: string, limit: number): Page | null {
    if (since > after) return null;
    const stamp = this.sql.exec<{ n: number }>("SELECT total_changes() AS n").one().n;
    if (stamp !== this.stamp) {
      this.tails.clear();
      this.stamp = stamp;
    }
    const key = `${after} ${limit}`;
    let tail = this.tails.get(key);
    if (!tail) {
      const entries = this.sql
        .exec<LogRow>(`SELECT ${LOG_COLUMNS} FROM log WHERE id > ?1 ORDER BY pos LIMIT ?2`, after, limit)
        .toArray()
        .map(toLogEntry);
      tail = { entries, views: [] };
      if (this.tails.size >= TAILS_MAX) this.tails.clear();
      this.tails.set(key, tail);
    }
    const out: GroupEntry[] = [];
    for (const [i, entry] of tail.entries.entries()) {
      if (entry.target !== null) {
        if (entry.target < since) return null;
        out.push(this.view(entry, user));
      } else if (entry.sender === user) {
        out.push(this.view(entry, user));
      } else {
        let seen = tail.views[i];
        if (!seen) {
          seen = this.view(entry, user); // no clientId: only its sender's view has one
          tail.views[i] = seen;
        }
        out.push(seen);
      }
    }
    return { entries: out, through: tail.entries.at(-1)?.id ?? null };
  }

  /**
   * `scanFor(user, after, limit, "readable")` (a member's pull) for a member
   * now (joined at `since`). Its past spans all end before `since`: only a
   * change of a message in one could differ, and `owed` leaves those to the
   * scan; so is a pull the archive may answer.
   */
  readable(user: string, since: string, after: string, limit: number): Page | null {
    if (this.archived?.reaches(after)) return null;
    return this.owed(user, since, after, limit);
  }
}
