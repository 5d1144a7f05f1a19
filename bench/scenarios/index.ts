// Every scenario, in the order a full run goes through them.

import { connections } from "./connections";
import { dmSaturate } from "./dm-saturate";
import { dmSteady } from "./dm-steady";
import { groupFanout } from "./group-fanout";
import { offlineSync } from "./offline-sync";
import type { Scenario } from "./types";

export const SCENARIOS: Scenario[] = [
  dmSteady("dm-steady", 50, { p50: 2, p99: 5 }),
  dmSteady("dm-steady-1k", 500, { p99: 10 }),
  dmSaturate,
  groupFanout,
  offlineSync,
  connections,
];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
