// Group commit for an object's writes. Each job is a synchronous block of
// writes (a send, an acknowledgement, a delivery from another object); jobs
// that arrive while the previous batch is being committed wait and then run
// together, back to back, so that they share one storage commit instead of
// one each. Locally a commit is an fsync on the runtime's only thread; deployed
// it is a replicated write; either way fewer is faster. A job that arrives
// when nothing is being committed runs at once: an idle object adds no delay.
//
// Durability is unchanged: what a job sends (`sent`, an RPC answer) is held by
// the output gate until its batch's commit is confirmed. A batch that wrote
// nothing (most of a group's pushes: a member's runs are written every few
// dozen entries) has nothing to commit: it skips the commit and the deferred
// writes, which wait for the next batch that writes.
//
// This is the one place that decides whether there is a commit to ride: the
// alarm's `restate` (alarm.ts) is called only from `beforeCommit`, which runs
// only for a batch that wrote. A `dirty` flag for restate to consult was
// weighed and left out: it would be true on every call, a second copy of this
// decision. Restate's own thresholds answer another question: whether moving
// the alarm later is worth a write of the alarm, since riding saves a commit,
// not the write itself.

export class WriteBatch {
  private queue: (() => void)[] = [];
  private running = false;

  /**
   * `committed` resolves once every write made so far is durable
   * (ctx.storage.sync). `beforeCommit` adds deferred writes to each batch
   * that commits (the outbox's deletions of confirmed rows, the alarm's
   * restate), so they share its commit; a batch that wrote nothing skips it.
   */
  constructor(
    private readonly committed: () => Promise<void>,
    private readonly beforeCommit: () => void = () => {},
    /** Rows changed so far by this object's database (SQLite's total_changes()); null: not known, always commit. */
    private readonly changes: () => number | null = () => null,
  ) {}

  /** Runs `job` in the next batch; resolves with its result once it has run. */
  run<T>(job: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push(() => {
        try {
          resolve(job());
        } catch (err) {
          reject(err);
        }
      });
      if (!this.running) void this.loop();
    });
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const jobs = this.queue;
        this.queue = [];
        const before = this.changes();
        for (const job of jobs) job();
        if (before !== null && this.changes() === before) continue;
        try {
          this.beforeCommit();
          await this.committed();
        } catch {
          // A failed commit breaks the object; the jobs still queued fail on their own writes.
        }
      }
    } finally {
      this.running = false;
    }
  }
}
