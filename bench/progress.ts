// The progress line: rewritten in place on a terminal, a plain line every few
// seconds otherwise (CI logs). It goes to stderr so stdout stays the report.

export class Progress {
  private lastPlain = 0;
  private shown = false;
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly quiet = false) {}

  update(text: string): void {
    if (this.quiet) return;
    if (this.tty) {
      process.stderr.write(`\r\x1b[2K${text.slice(0, (process.stderr.columns ?? 120) - 1)}`);
      this.shown = true;
    } else if (Date.now() - this.lastPlain > 5000) {
      process.stderr.write(`${text}\n`);
      this.lastPlain = Date.now();
    }
  }

  /** A line that stays (a phase finished). */
  log(text: string): void {
    if (this.quiet) return;
    this.clear();
    process.stderr.write(`${text}\n`);
  }

  clear(): void {
    if (this.tty && this.shown) process.stderr.write("\r\x1b[2K");
    this.shown = false;
    this.lastPlain = 0;
  }
}
