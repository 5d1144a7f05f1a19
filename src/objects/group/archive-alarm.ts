// When the archive of a group runs (./archive.ts): from the object's alarm,
// one page per wake, the next page a little later. The alarm is asked once a
// full page sits in SQLite beside the newest entry, for when that page is
// due (its age, or now when SQLite is over its size), so a group that posts
// little never wakes for it. See docs/archive.md.

import type { AlarmScheduler } from "../storage/alarm";
import type { GroupArchive } from "./archive";
import type { GroupLog } from "./log";

/** After a failed step (R2 down, say), try again this much later. */
const FAILED_RETRY_MS = 60_000;

export class ArchiveAlarm {
  /** Whether the alarm is asked for the next step (in memory: after a restart the next post asks again). */
  private armed = false;

  constructor(
    private readonly archive: GroupArchive,
    private readonly log: GroupLog,
    private readonly alarms: AlarmScheduler,
    private readonly groupId: string,
  ) {
    // A page left half-written by the object's last life is finished first thing.
    if (archive.index.pending()) this.ask(Date.now());
  }

  /** The alarm's part: one step (one page at most), then the alarm for the next. */
  async step(now = Date.now()): Promise<"written" | "discarded" | null> {
    this.armed = false;
    let done: "written" | "discarded" | null;
    try {
      done = await this.archive.step(this.log.lastPos, now);
    } catch (err) {
      console.error(JSON.stringify({ event: "archive_step_failed", group: this.groupId, error: String(err) }));
      this.ask(now + FAILED_RETRY_MS);
      return null;
    }
    const next = done ? now + this.archive.config.stepGapMs : this.archive.nextAt(this.log.lastPos, now);
    if (next !== null) this.ask(next);
    return done;
  }

  /** After a post or a change: cheap unless a full page is in SQLite and the alarm is not asked yet. */
  posted(): void {
    if (this.armed || !this.archive.full(this.log.lastPos)) return;
    const at = this.archive.nextAt(this.log.lastPos);
    if (at !== null) this.ask(at);
  }

  private ask(at: number): void {
    this.alarms.ensureBy(at, "archive");
    this.armed = true;
  }
}
