// Latency against send time: the measured messages in buckets of their send
// time (1 s by default), each bucket's percentiles, plus the slowest messages
// with when they left. It tells a steady tail (every bucket's p99 high) from
// a few stalls (most buckets fine, one or two with every message late), and
// when a stall happened, to line it up with the server's events (a CPU
// profile's samples carry times too).

import { percentile } from "./stats";

export interface TimelineBucket {
  /** Start of the bucket, in seconds from the first measured send. */
  at: number;
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface SlowMessage {
  /** Send time, ms from the first measured send. */
  at: number;
  latency: number;
  /** Which way (sender>recipient user index) and the message's number on it. */
  dir: string;
  n: number;
}

export interface Timeline {
  /** Wall-clock time (epoch ms) of the first measured send: to line up with the server's logs. */
  startedAt: number;
  bucketMs: number;
  buckets: TimelineBucket[];
  slowest: SlowMessage[];
  /** Every measured message as [send time ms, latency ms] (0.1 ms), for a finer look than the buckets. */
  points: [number, number][];
}

export class TimelineRecorder {
  private readonly points: SlowMessage[] = [];
  private origin: number | undefined;

  /** A measured message's send time (performance.now()) and its latency. */
  add(sentAt: number, latency: number, dir: string, n: number): void {
    this.points.push({ at: sentAt, latency, dir, n });
  }

  /** Send times count from here (the first measured send); the earliest point otherwise. */
  start(at: number): void {
    this.origin ??= at;
  }

  build(bucketMs = 1000, slowest = 20): Timeline {
    const origin = this.origin ?? Math.min(...this.points.map((p) => p.at));
    const groups = new Map<number, number[]>();
    for (const p of this.points) {
      const b = Math.floor((p.at - origin) / bucketMs);
      const list = groups.get(b) ?? [];
      list.push(p.latency);
      groups.set(b, list);
    }
    const buckets = [...groups.entries()]
      .sort(([a], [b]) => a - b)
      .map(([b, values]) => {
        const sorted = values.sort((x, y) => x - y);
        return {
          at: (b * bucketMs) / 1000,
          count: sorted.length,
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
          max: sorted.at(-1) ?? Number.NaN,
        };
      });
    const worst = [...this.points]
      .sort((a, b) => b.latency - a.latency)
      .slice(0, slowest)
      .map((p) => ({ ...p, at: p.at - origin }));
    const round = (v: number) => Math.round(v * 10) / 10;
    const points = this.points.map((p): [number, number] => [round(p.at - origin), round(p.latency)]);
    const startedAt = Math.round(performance.timeOrigin + origin);
    return { startedAt, bucketMs, buckets, slowest: worst, points };
  }
}

/** A few lines for the console: one per bucket, then the slowest messages. */
export function formatTimeline(t: Timeline): string[] {
  const ms = (v: number) => v.toFixed(1).padStart(7);
  const lines = [
    `  ${"at s".padStart(6)} ${"count".padStart(6)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"max ms".padStart(7)}`,
  ];
  for (const b of t.buckets) {
    lines.push(
      `  ${b.at.toFixed(1).padStart(6)} ${String(b.count).padStart(6)} ${ms(b.p50)} ${ms(b.p99)} ${ms(b.max)}`,
    );
  }
  if (t.slowest.length) {
    lines.push(
      `  slowest: ${t.slowest
        .slice(0, 10)
        .map((s) => `${s.latency.toFixed(0)} ms @${(s.at / 1000).toFixed(2)} s ${s.dir}#${s.n}`)
        .join(", ")}`,
    );
  }
  return lines;
}
