// The run's output: a Markdown table (floor, server, server ÷ floor, the
// issue's target; with the runtime floor in the run, also its column and
// server ÷ runtime floor), and the JSON kept under bench/results/.

import type { Machine } from "./machine";
import type { Goal, Metric, Params } from "./scenarios/types";
import type { histogram, Summary } from "./stats";
import type { TargetName } from "./targets";
import type { Timeline } from "./timeline";

export interface RunRecord {
  scenario: string;
  params: Params;
  /** At the scenario's default parameters: only then are the targets judged. */
  atDefaults: boolean;
  targets: Partial<Record<TargetName, TargetRecord>>;
}

export interface TargetRecord {
  /** Each metric's median over the repeats. */
  metrics: Metric[];
  repeats: Metric[][];
  latencies: { label: string; summary: Summary | null; histogram: ReturnType<typeof histogram> }[];
  notes: string[];
  /** Latency against send time, one per repeat (scenarios that keep one). */
  timelines?: Timeline[];
  /** With --profile: the worker's functions by self time over the measured part (first repeat). */
  profile?: { fn: string; selfMs: number; share: number }[];
}

export interface Report {
  command: string;
  startedAt: string;
  durationS: number;
  machine: Machine;
  runtime: string;
  repeats: number;
  runs: RunRecord[];
}

export function markdownTable(report: Report): string {
  // The runtime floor's two columns only when it ran, so a run without it prints the table it always did.
  const withRuntime = report.runs.some((r) => r.targets.runtime);
  const lines = withRuntime
    ? [
        "| scenario | figure | floor | runtime floor | server | server ÷ floor | server ÷ runtime | target |",
        "|---|---|---:|---:|---:|---:|---:|---|",
      ]
    : ["| scenario | figure | floor | server | server ÷ floor | target |", "|---|---|---:|---:|---:|---|"];
  const blanks = withRuntime ? "| | | | | | |" : "| | | | |";
  for (const run of report.runs) {
    const floor = run.targets.floor?.metrics ?? [];
    const runtime = run.targets.runtime?.metrics ?? [];
    const server = run.targets.server?.metrics ?? [];
    const keys = [...new Set([...floor, ...runtime, ...server].map((m) => m.key))];
    for (const key of keys) {
      const f = floor.find((m) => m.key === key);
      const r = runtime.find((m) => m.key === key);
      const s = server.find((m) => m.key === key);
      const m = (s ?? r ?? f) as Metric;
      const cells = withRuntime
        ? [fmt(f?.value), fmt(r?.value), fmt(s?.value), ratio(f?.value, s?.value, m), ratio(r?.value, s?.value, m)]
        : [fmt(f?.value), fmt(s?.value), ratio(f?.value, s?.value, m)];
      lines.push(
        `| ${run.scenario} | ${m.label} (${m.unit}) | ${cells.join(" | ")} | ${judge(s ?? r ?? f, run.atDefaults)} |`,
      );
    }
    for (const [name, t] of Object.entries(run.targets)) {
      for (const note of t?.notes ?? []) lines.push(`| ${run.scenario} | note (${name}): ${note} ${blanks}`);
    }
  }
  return lines.join("\n");
}

function fmt(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (Number.isInteger(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** server ÷ a floor (either of them). */
function ratio(floor: number | null | undefined, server: number | null | undefined, m: Metric): string {
  if (m.mustBeZero || floor === null || floor === undefined || server === null || server === undefined) return "";
  if (floor === 0) return "";
  return `${(server / floor).toFixed(server / floor >= 10 ? 0 : 1)}×`;
}

function judge(m: Metric | undefined, atDefaults: boolean): string {
  if (!m) return "";
  if (m.mustBeZero) return m.value === 0 ? "0 ✓" : m.value === null ? "0" : "0 ✗";
  if (!m.goal) return "";
  const text = `${m.goal.op === "<=" ? "≤" : "≥"} ${m.goal.value}`;
  if (!atDefaults || m.value === null) return text;
  return `${text} ${meets(m.value, m.goal) ? "✓" : "✗"}`;
}

function meets(value: number, goal: Goal): boolean {
  return goal.op === "<=" ? value <= goal.value : value >= goal.value;
}

/** Per metric key, the median over the repeats (a correctness count: the worst). */
export function combine(repeats: Metric[][]): Metric[] {
  const first = repeats[0] ?? [];
  return first.map((m) => {
    const values = repeats.map((r) => r.find((x) => x.key === m.key)?.value).filter((v): v is number => v != null);
    if (values.length === 0) return m;
    const sorted = [...values].sort((a, b) => a - b);
    const value = m.mustBeZero ? (sorted.at(-1) ?? null) : (sorted[Math.floor((sorted.length - 1) / 2)] ?? null);
    return { ...m, value };
  });
}
