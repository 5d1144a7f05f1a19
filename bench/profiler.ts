// A CPU profile of the worker (and its Durable Objects, which run in the same
// isolate locally) through wrangler's inspector, with the Chrome DevTools
// protocol: Profiler.start ... Profiler.stop. The .cpuprofile file opens in
// Chrome DevTools (Performance panel); `topFunctions` is the short version.

import WebSocket from "ws";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export class InspectorProfiler {
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown };
      if (msg.id !== undefined) this.pending.get(msg.id)?.(msg.result);
    });
  }

  static async connect(inspectorPort: number): Promise<InspectorProfiler> {
    const list = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as {
      webSocketDebuggerUrl: string;
    }[];
    const url = list[0]?.webSocketDebuggerUrl;
    if (!url) throw new Error("no inspector target");
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    return new InspectorProfiler(ws);
  }

  private call<T>(method: string, params: object = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, (result) => resolve(result as T));
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  async start(intervalUs = 200): Promise<void> {
    await this.call("Profiler.enable");
    await this.call("Profiler.setSamplingInterval", { interval: intervalUs });
    await this.call("Profiler.start");
  }

  async stop(): Promise<CpuProfile> {
    const { profile } = await this.call<{ profile: CpuProfile }>("Profiler.stop");
    return profile;
  }

  close(): void {
    this.ws.close();
  }
}

/** Self time per function (ms), the largest first, with the share of all samples. */
export function topFunctions(profile: CpuProfile, count = 25): { fn: string; selfMs: number; share: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0));
  }
  const byFn = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame;
    const where = frame?.url ? `${frame.url.split("/").slice(-2).join("/")}:${frame.lineNumber + 1}` : "";
    const fn = `${frame?.functionName || "(anonymous)"}${where ? ` ${where}` : ""}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    total += us;
  }
  return [...byFn.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([fn, us]) => ({ fn, selfMs: us / 1000, share: total ? us / total : 0 }));
}

/**
 * The garbage collector's pauses: runs of consecutive samples in V8's
 * "(garbage collector)" node, each a stop of the one thread that serves every
 * object (docs/benchmarks.md, "dm-steady-1k: the server's heap").
 */
export function gcPauses(profile: CpuProfile): { totalMs: number; longestMs: number; over50: number } {
  const gc = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "(garbage collector)").map((n) => n.id));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const runs: number[] = [];
  let run = 0;
  for (let i = 0; i < samples.length; i++) {
    const us = deltas[i + 1] ?? deltas[i] ?? 0;
    if (gc.has(samples[i] as number)) run += us;
    else if (run > 0) {
      runs.push(run);
      run = 0;
    }
  }
  if (run > 0) runs.push(run);
  const total = runs.reduce((a, b) => a + b, 0);
  return {
    totalMs: total / 1000,
    longestMs: Math.max(0, ...runs) / 1000,
    over50: runs.filter((r) => r > 50_000).length,
  };
}
