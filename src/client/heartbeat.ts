// The heartbeat: `ping` every interval (the server drops a device silent for
// 60 s), and a watchdog: a socket that has not brought a single frame (not even
// `pong`) for two intervals (10 s at least) is presumed dead, since a half-open TCP connection
// (a laptop lid closed, a network switch) can look open for minutes.

export class Heartbeat {
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly ping: () => void,
    private readonly dead: () => void,
  ) {}

  start(): void {
    this.stop();
    this.lastHeard = Date.now();
    this.timer = setInterval(() => {
      if (Date.now() - this.lastHeard > Math.max(2 * this.intervalMs, 10_000)) {
        this.stop();
        this.dead();
        return;
      }
      this.ping();
    }, this.intervalMs);
  }

  /** Any frame from the server is a sign of life. */
  heard(): void {
    this.lastHeard = Date.now();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
