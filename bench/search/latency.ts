// Search latency as a client sees it: sequential GET /api/search requests
// (Worker, token check in D1, RPC to the user's object, FTS5 query), after a
// warm-up, reported as percentiles.

export interface LatencyFigures {
  name: string;
  query: string;
  matching: number;
  returned: number;
  p50: number;
  p99: number;
  max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

export async function measureQuery(
  baseUrl: string,
  token: string,
  spec: { name: string; query: string; matching: number },
  runs: number,
): Promise<LatencyFigures> {
  const headers = { Authorization: `Bearer ${token}` };
  const url = `${baseUrl}/api/search?${spec.query}`;
  let returned = 0;
  const once = async () => {
    const res = await fetch(url, { headers });
    const body = (await res.json()) as { messages?: unknown[] };
    if (res.status !== 200 || !body.messages) throw new Error(`${spec.name}: ${res.status} ${JSON.stringify(body)}`);
    returned = body.messages.length;
  };
  for (let i = 0; i < 10; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await once();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return {
    ...spec,
    returned,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    max: times.at(-1) ?? Number.NaN,
  };
}
