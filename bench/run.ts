// One benchmark run: the targets, their users, every selected scenario on
// each target (in the order given: floor, runtime floor, server; repeated),
// and the report.

import { writeFileSync } from "node:fs";
import { formatHeap, summariseHeap, takeHeapSnapshot } from "./heap";
import type { Machine } from "./machine";
import { sleep } from "./pool";
import { gcPauses, InspectorProfiler, topFunctions } from "./profiler";
import { Progress } from "./progress";
import { combine, type Report, type RunRecord, type TargetRecord } from "./report";
import type { Metric, Params, Scenario } from "./scenarios/types";
import { histogram, Samples } from "./stats";
import type { Target } from "./targets";
import { formatTimeline, type Timeline } from "./timeline";
import { UserPool } from "./users";

export interface RunOptions {
  scenarios: Scenario[];
  /** Per scenario name, the parameters to use (defaults, smoke, or overridden). */
  params: Map<string, Params>;
  targets: Target[];
  repeats: number;
  machine: Machine;
  command: string;
  runtime: string;
  progress?: Progress;
  /** Where to keep the server's users between runs (with a reused state directory). */
  userCache?: string;
  /** Take a CPU profile of the server over each scenario's measured part, written here (prefix). */
  profileTo?: string;
  /** Take a heap snapshot of the worker after each scenario's warm-up, written here (prefix). */
  heapTo?: string;
  /** Called after each scenario with the runs so far (the CLI keeps a partial JSON, in case the run is cut short). */
  onProgress?: (runs: RunRecord[]) => void;
}

export interface RunOutput {
  report: Report;
  /** Raw samples per scenario, for the plot. */
  series: Map<string, { label: string; sorted: number[] }[]>;
}

export async function runBench(options: RunOptions): Promise<RunOutput> {
  const progress = options.progress ?? new Progress();
  const started = new Date();
  const t0 = performance.now();
  const needed = Math.max(...options.scenarios.map((s) => s.users(options.params.get(s.name) ?? s.defaults)));
  const pools = new Map<Target, UserPool>();
  for (const target of options.targets) {
    const cache = target.name === "server" ? options.userCache : undefined;
    const pool = new UserPool(target.url, progress, target.name, cache);
    await pool.ensure(needed);
    pools.set(target, pool);
  }

  const runs: RunRecord[] = [];
  const series = new Map<string, { label: string; sorted: number[] }[]>();
  for (const scenario of options.scenarios) {
    const params = options.params.get(scenario.name) ?? scenario.defaults;
    const record: RunRecord = {
      scenario: scenario.name,
      params,
      atDefaults: JSON.stringify(params) === JSON.stringify(scenario.defaults),
      targets: {},
    };
    const plots: { label: string; sorted: number[] }[] = [];
    for (const target of options.targets) {
      const repeats = [];
      const samples = new Map<string, number[]>();
      const notes = new Set<string>();
      let profile: TargetRecord["profile"];
      const timelines: Timeline[] = [];
      for (let r = 0; r < options.repeats; r++) {
        const label = `${scenario.name} @ ${target.name}${options.repeats > 1 ? ` (${r + 1}/${options.repeats})` : ""}`;
        progress.update(`${label}: starting`);
        const profiling = r === 0 && options.profileTo !== undefined && target.inspectorPort !== undefined;
        const extra: Metric[] = [];
        // The server's files keep their old names; another target's are named after it.
        const suffix = `${scenario.name}${target.name === "server" ? "" : `-${target.name}`}`;
        const window = profiling
          ? profilerWindow(target.inspectorPort as number, `${options.profileTo}-${suffix}.cpuprofile`, (top, gc) => {
              profile = top;
              extra.push(...gc);
            })
          : { start: async () => {}, stop: async () => {} };
        const heapFile = `${options.heapTo}-${suffix}.heapsnapshot`;
        const snapshot = r === 0 && options.heapTo !== undefined && target.inspectorPort !== undefined;
        const measured = {
          async start() {
            if (snapshot) extra.push(await heapAfterWarmUp(target.inspectorPort as number, heapFile, progress, label));
            await window.start();
          },
          stop: () => window.stop(),
        };
        const pool = pools.get(target) as UserPool;
        // One failed repeat (a device that never got through, say) is reported and the run goes on:
        // the figures are then the medians of the repeats that completed.
        let result: Awaited<ReturnType<Scenario["run"]>>;
        try {
          result = await scenario.run({ target, pool, progress, params, label, measured });
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err);
          notes.add(`repeat ${r + 1} failed: ${why}`);
          progress.log(`${label}: failed (${why})`);
          continue;
        }
        repeats.push([...result.metrics, ...extra]);
        for (const note of result.notes) notes.add(note);
        for (const l of result.latencies) samples.set(l.label, [...(samples.get(l.label) ?? []), ...l.samples.all()]);
        progress.log(`${label}: done${summaryLine(result.metrics)}`);
        if (result.timeline) {
          timelines.push(result.timeline);
          progress.log(`${label}: end-to-end latency by send time`);
          for (const line of formatTimeline(result.timeline)) progress.log(line);
        }
      }
      if (repeats.length === 0) {
        progress.log(`${scenario.name} @ ${target.name}: every repeat failed; no figures`);
        continue;
      }
      const latencies: TargetRecord["latencies"] = [];
      for (const [label, values] of samples) {
        const sorted = values.sort((a, b) => a - b);
        plots.push({ label: `${target.name}: ${label}`, sorted });
        const s = new Samples();
        for (const v of sorted) s.add(v);
        latencies.push({ label, summary: s.summary(), histogram: histogram(sorted) });
      }
      record.targets[target.name] = {
        metrics: combine(repeats),
        repeats,
        latencies,
        notes: [...notes],
        ...(timelines.length ? { timelines } : {}),
        ...(profile ? { profile } : {}),
      };
      if (profile) {
        progress.log(`${scenario.name} @ ${target.name}: CPU profile, functions by self time:`);
        for (const f of profile.slice(0, 15)) {
          progress.log(`  ${(f.share * 100).toFixed(1).padStart(5)}% ${f.selfMs.toFixed(0).padStart(6)} ms  ${f.fn}`);
        }
      }
    }
    runs.push(record);
    options.onProgress?.(runs);
    series.set(scenario.name, plots);
  }
  progress.clear();
  const report: Report = {
    command: options.command,
    startedAt: started.toISOString(),
    durationS: Math.round((performance.now() - t0) / 1000),
    machine: options.machine,
    runtime: options.runtime,
    repeats: options.repeats,
    runs,
  };
  return { report, series };
}

const HEAP_SETTLE_MS = 10_000;

/** The heap snapshot after the warm-up (./heap.ts): written, summarised in the log, its live size a figure. */
async function heapAfterWarmUp(port: number, file: string, progress: Progress, label: string): Promise<Metric> {
  progress.update(`${label}: heap snapshot`);
  const t0 = performance.now();
  const used = await takeHeapSnapshot(port, file);
  const took = performance.now() - t0;
  progress.log(`${label}: heap snapshot after the warm-up (${file}; ${(took / 1000).toFixed(1)} s)`);
  for (const line of formatHeap(summariseHeap(file), 20)) progress.log(`  ${line}`);
  // The snapshot stops the isolate for seconds: timers and alarms due meanwhile run late, all at once.
  // The measured part starts once they are past, not in their backlog.
  await sleep(HEAP_SETTLE_MS);
  return { key: "heap_mb", label: "worker's live JS heap after the warm-up", value: used / 1048576, unit: "MB" };
}

/** Profiles the worker between start() and stop(); writes the .cpuprofile and reports the top functions and GC pauses. */
function profilerWindow(
  port: number,
  file: string,
  report: (top: ReturnType<typeof topFunctions>, gc: Metric[]) => void,
) {
  let profiler: InspectorProfiler | undefined;
  return {
    async start() {
      profiler = await InspectorProfiler.connect(port);
      await profiler.start();
    },
    async stop() {
      if (!profiler) return;
      const profile = await profiler.stop();
      profiler.close();
      profiler = undefined;
      writeFileSync(file, JSON.stringify(profile));
      const gc = gcPauses(profile);
      report(topFunctions(profile, 40), [
        { key: "gc_ms", label: "garbage collector, in all (profile)", value: gc.totalMs, unit: "ms" },
        { key: "gc_max_ms", label: "garbage collector, longest pause (profile)", value: gc.longestMs, unit: "ms" },
      ]);
    },
  };
}

function summaryLine(metrics: { key: string; value: number | null; unit: string }[]): string {
  const shown = metrics.filter((m) => /p50|p99|rate|lost|kb_per|held|open_1000/.test(m.key)).slice(0, 5);
  return shown.length ? ` (${shown.map((m) => `${m.key} ${m.value?.toFixed(2) ?? "–"}`).join(", ")})` : "";
}
