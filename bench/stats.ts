// Latency samples and their summary: nearest-rank percentiles over every
// sample (no sampling, no decay), and a log-spaced histogram for the plot.

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export class Samples {
  private readonly values: number[] = [];
  private sorted = true;

  add(value: number): void {
    const last = this.values.at(-1);
    if (last !== undefined && value < last) this.sorted = false;
    this.values.push(value);
  }

  get count(): number {
    return this.values.length;
  }

  all(): number[] {
    if (!this.sorted) {
      this.values.sort((a, b) => a - b);
      this.sorted = true;
    }
    return this.values;
  }

  summary(): Summary | null {
    const v = this.all();
    if (v.length === 0) return null;
    let sum = 0;
    for (const x of v) sum += x;
    return {
      count: v.length,
      p50: percentile(v, 50),
      p95: percentile(v, 95),
      p99: percentile(v, 99),
      max: v[v.length - 1] ?? 0,
      mean: sum / v.length,
    };
  }
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** Counts per bucket; bucket i spans [edges[i], edges[i+1]). Edges are log-spaced from 0.05 ms. */
export function histogram(sorted: number[], perDecade = 10): { edges: number[]; counts: number[] } {
  const edges: number[] = [];
  const top = Math.max(1, sorted.at(-1) ?? 1);
  for (let e = 0.05; e <= top * 1.26; e *= 10 ** (1 / perDecade)) edges.push(Number(e.toPrecision(3)));
  const counts = new Array<number>(edges.length).fill(0);
  let b = 0;
  for (const x of sorted) {
    while (b + 1 < edges.length && x >= (edges[b + 1] ?? Infinity)) b++;
    counts[b] = (counts[b] ?? 0) + 1;
  }
  return { edges, counts };
}
