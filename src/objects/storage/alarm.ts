// One Durable Object has one alarm. Several needs share it (outbox retries,
// the socket sweep, a group's fan-out), so each asks for "no later than T"
// under its own name and this keeps the earliest. A need that is met is
// released without moving the alarm: it fires once more, and then says which
// needs were due, so each part of the handler runs at its own time. Needs
// that know exactly when they are due (the safety nets) restate it with each
// batch of writes, and a near alarm then moves later instead of firing. The
// scheduled time is cached so the hot path needs no read.

/** `restate` moves the alarm later only by this much or more: a write for less is not worth it. */
const LATER_MIN_MS = 1_000;
/** …and only once it is due within this: an alarm further off may yet be moved by a later batch. */
const LATER_WHEN_MS = 2_500;
/**
 * A safety net (ensureNet, restate) is met by an alarm up to this much after
 * the time it names. Exact nets made the alarm swing with every message on an
 * active object: moved early by a send's net, moved later again once the
 * delivery was confirmed, a write each way (locally a page of the runtime's
 * alarm table: a seventh of a one-to-one message's bytes; docs/architecture.md).
 */
export const NET_SLACK_MS = 10_000;
/** How far ahead `restate` moves a near alarm at most: a net asked for from now on still finds it early enough. */
const ROLL_MS = 15_000;
/**
 * The need an alarm found stored on waking stands for: the needs of the
 * instance before, which this one never heard of, due at the stored time. As
 * one need among the others it keeps the alarm from moving past that time,
 * yet lets a net's earlier alarm roll up to it, or fire for the net alone.
 * (A flag that made the first alarm to fire count every need as due, and
 * kept `restate` from rolling, made each object woken from hibernation run
 * its whole alarm handler 5 s after its first send; at dm-steady-1k a
 * thousand of them at once: docs/benchmarks.md.)
 */
const INHERITED = "inherited";

export class AlarmScheduler {
  private at: number | null = null;
  /** Per need, the earliest time it asked for since the alarm last fired. */
  private readonly needs = new Map<string, number>();

  constructor(private readonly storage: DurableObjectStorage) {}

  /**
   * Loads the stored alarm time; call once inside blockConcurrencyWhile. It
   * may serve needs this instance never heard of (an outbox item written
   * before a restart, say): they are due at that time (INHERITED), and then
   * every need counts as due.
   */
  async load(): Promise<void> {
    this.at = await this.storage.getAlarm();
    if (this.at !== null) this.needs.set(INHERITED, this.at);
  }

  /** Makes sure the alarm fires at `time` or earlier (or up to `slack` later), for `need`. */
  ensureBy(time: number, need: string, slack = 0): void {
    const asked = this.needs.get(need);
    if (asked === undefined || time < asked) this.needs.set(need, time);
    if (this.at !== null && this.at <= time + slack) return;
    this.at = time;
    void this.storage.setAlarm(time);
  }

  /** A safety net: `ensureBy`, met by an alarm up to NET_SLACK_MS after `time`. */
  ensureNet(time: number, need: string): void {
    this.ensureBy(time, need, NET_SLACK_MS);
  }

  /**
   * `need` no longer needs the alarm, but the alarm stays where it is and
   * fires once. For a need that comes and goes with every message (the
   * outbox's safety net): moving the alarm back and forth costs a storage
   * write each way, and locally a write of the alarm costs about twice a
   * row's (docs/benchmarks.md). Left alone, the next message within the
   * same few seconds finds the alarm early enough already and writes nothing.
   */
  release(need: string): void {
    this.needs.delete(need);
  }

  /**
   * Re-states needs that know exactly what they are owed (the safety nets of
   * the outbox and the peer log, with each batch of writes): a time, which
   * may be later than asked before, or null for none. If the alarm is then
   * about to fire (within LATER_WHEN_MS) early by a second or more for every
   * need, it moves later: to the earliest need, at most ROLL_MS ahead (a net
   * asked for meanwhile then finds it within its slack, NET_SLACK_MS). It
   * moves earlier only for a net more than NET_SLACK_MS before it. Call this only where a commit happens anyway (the
   * write batch's `beforeCommit`, which runs only for a batch that wrote), so
   * that the alarm's write rides it: at low rates this saves an alarm event
   * every few seconds per object (locally an alarm event costs more than
   * the rest of a message, docs/benchmarks.md), and waiting until the alarm
   * is near keeps it to about one write per alarm saved.
   */
  restate(needs: ReadonlyMap<string, number | null>, now = Date.now()): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const [need, time] of needs) {
      if (time === null) this.needs.delete(need);
      else this.needs.set(need, time);
    }
    for (const time of this.needs.values()) earliest = Math.min(earliest, time);
    if (earliest === Number.POSITIVE_INFINITY) return; // nothing left: it fires once, as after `release`
    // The restated needs are nets (NET_SLACK_MS); every other need (INHERITED too) set the alarm at or before itself.
    if (this.at === null || earliest + NET_SLACK_MS < this.at) {
      this.at = earliest;
      void this.storage.setAlarm(earliest);
      return;
    }
    // Never past a need: an alarm from before a restart stays a need (INHERITED) until its time.
    const later = Math.min(earliest, now + ROLL_MS);
    if (this.at - now > LATER_WHEN_MS || later - this.at < LATER_MIN_MS) return;
    this.at = later;
    void this.storage.setAlarm(later);
  }

  /** Deletes the alarm; the caller knows that no need is left (an offline user costs nothing). */
  cancel(): void {
    this.needs.clear();
    if (this.at === null) return;
    this.at = null;
    void this.storage.deleteAlarm();
  }

  /**
   * The alarm handler calls this first: the alarm that woke us is spent.
   * Answers whether a need was due (those ask again when they have run);
   * the needs not yet due keep their times, and the alarm is set for the
   * earliest of them. So a handler woken for one need (the outbox's safety
   * net, say) can leave the others' work (the presence sweep) for their own
   * time. Once the time of an alarm inherited from before a restart has come
   * (INHERITED is due), every need counts as due, since which ones it served
   * is not known.
   */
  fired(now = Date.now()): (need: string) => boolean {
    const due = new Set<string>();
    let next: number | null = null;
    for (const [need, time] of this.needs) {
      if (time <= now) {
        due.add(need);
        this.needs.delete(need);
      } else {
        next = next === null ? time : Math.min(next, time);
      }
    }
    this.at = next;
    if (next !== null) void this.storage.setAlarm(next);
    const inherited = due.has(INHERITED);
    return (need) => inherited || due.has(need);
  }

  get scheduledAt(): number | null {
    return this.at;
  }
}
