// One Durable Object has one alarm. Several needs share it (outbox retries,
// the socket sweep), so each asks for "no later than T" and this keeps the
// earliest. The scheduled time is cached so the hot path needs no read.

export class AlarmScheduler {
  private at: number | null = null;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Loads the stored alarm time; call once inside blockConcurrencyWhile. */
  async load(): Promise<void> {
    this.at = await this.storage.getAlarm();
  }

  /** Makes sure the alarm fires at `time` or earlier. */
  ensureBy(time: number): void {
    if (this.at !== null && this.at <= time) return;
    this.at = time;
    void this.storage.setAlarm(time);
  }

  /** Deletes the alarm; the caller knows that no need is left (an offline user costs nothing). */
  cancel(): void {
    if (this.at === null) return;
    this.at = null;
    void this.storage.deleteAlarm();
  }

  /** The alarm handler calls this first: the alarm that woke us is spent. */
  fired(): void {
    this.at = null;
  }

  get scheduledAt(): number | null {
    return this.at;
  }
}
