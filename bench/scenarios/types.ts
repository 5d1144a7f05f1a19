// What a scenario is: a named, bounded load with its parameters, run against
// one target at a time, answering metrics (compared across targets by key)
// and latency samples (for the plot).

import type { Progress } from "../progress";
import type { Samples } from "../stats";
import type { Target } from "../targets";
import type { Timeline } from "../timeline";
import type { UserPool } from "../users";

export type Params = Record<string, number | number[]>;

export interface Goal {
  op: "<=" | ">=";
  value: number;
}

export interface Metric {
  key: string;
  label: string;
  value: number | null;
  unit: string;
  /** The target for this figure, when it has one (only judged at the default parameters). */
  goal?: Goal;
  /** Must be zero (lost, duplicated, ...): a correctness count, not a speed. */
  mustBeZero?: boolean;
}

export interface ScenarioResult {
  metrics: Metric[];
  latencies: { label: string; samples: Samples }[];
  notes: string[];
  /** End-to-end latency against send time (one-to-one scenarios), printed and kept in the results JSON. */
  timeline?: Timeline;
}

export interface ScenarioContext {
  target: Target;
  pool: UserPool;
  progress: Progress;
  params: Params;
  /** e.g. "dm-steady @ server", for progress lines. */
  label: string;
  /** Called around the measured part (after set-up and warm-up): a CPU profile is taken there when asked for. */
  measured: { start(): Promise<void>; stop(): Promise<void> };
}

export interface Scenario {
  name: string;
  description: string;
  defaults: Params;
  /** Tiny parameters for the smoke test (seconds, not minutes). */
  smoke: Params;
  /** How many registered users the scenario needs at these parameters. */
  users(params: Params): number;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}

export function num(params: Params, key: string): number {
  const value = params[key];
  if (typeof value !== "number") throw new Error(`parameter ${key} must be a number`);
  return value;
}

export function list(params: Params, key: string): number[] {
  const value = params[key];
  return Array.isArray(value) ? value : typeof value === "number" ? [value] : [];
}
