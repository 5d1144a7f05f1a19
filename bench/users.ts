// The benchmark's users, registered once per target and shared by every
// scenario of a run. Registration costs a PBKDF2 hash (100,000 iterations) on
// the server, so it runs with bounded concurrency, and the list can be kept
// with the server's state directory (--state) to skip it on the next run.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Api } from "./client";
import { inParallel } from "./pool";
import type { Progress } from "./progress";

export const BENCH_PASSWORD = "bench-password-123";

export interface BenchUser {
  index: number;
  id: string;
  username: string;
  token: string;
}

export class UserPool {
  readonly users: BenchUser[] = [];
  private readonly prefix = `b${Date.now().toString(36)}`;

  constructor(
    private readonly baseUrl: string,
    private readonly progress: Progress,
    private readonly label: string,
    /** A file to keep the users in, beside a reused server state. */
    private readonly cacheFile?: string,
  ) {
    if (cacheFile && existsSync(cacheFile))
      this.users.push(...(JSON.parse(readFileSync(cacheFile, "utf8")) as BenchUser[]));
  }

  static cacheFileFor(stateDir: string): string {
    return path.join(stateDir, "bench-users.json");
  }

  /** Makes sure at least `count` users exist. */
  async ensure(count: number, concurrency = 6): Promise<BenchUser[]> {
    const start = this.users.length;
    if (count <= start) return this.users.slice(0, count);
    const t0 = performance.now();
    let done = 0;
    const made = await inParallel(count - start, concurrency, async (k) => {
      const index = start + k;
      const username = `${this.prefix}_${index}`;
      const answer = await new Api({ baseUrl: this.baseUrl }).register(username, BENCH_PASSWORD);
      done++;
      this.progress.update(`${this.label}: registering users ${start + done}/${count}`);
      return { index, id: answer.user.id, username, token: answer.token };
    });
    this.users.push(...made);
    if (this.cacheFile) writeFileSync(this.cacheFile, JSON.stringify(this.users));
    const seconds = (performance.now() - t0) / 1000;
    this.progress.log(`${this.label}: registered ${made.length} users in ${seconds.toFixed(1)} s`);
    return this.users.slice(0, count);
  }

  /** Users [from, from + count). */
  slice(from: number, count: number): BenchUser[] {
    const out = this.users.slice(from, from + count);
    if (out.length < count) throw new Error(`need users ${from}..${from + count}, have ${this.users.length}`);
    return out;
  }
}
