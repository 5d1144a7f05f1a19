// A few seconds of every benchmark scenario at tiny sizes, against the floor
// relay, the runtime floor (bench/runtime-floor, its own `wrangler dev`) and
// the real server: keeps `npm run bench` working, and checks what
// must hold at any speed (nothing lost, duplicated or out of order). No
// timing is asserted here; speed belongs in `npm run bench`.

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { describeMachine } from "../../bench/machine";
import { Progress } from "../../bench/progress";
import { markdownTable } from "../../bench/report";
import { runBench } from "../../bench/run";
import { SCENARIOS } from "../../bench/scenarios/index";
import type { Scenario } from "../../bench/scenarios/types";
import {
  externalTarget,
  startFloorTarget,
  startRuntimeTarget,
  type Target,
  type TargetName,
} from "../../bench/targets";

let floor: Target;
let runtime: Target;

beforeAll(async () => {
  [floor, runtime] = await Promise.all([startFloorTarget({ inProcess: true }), startRuntimeTarget()]);
});

afterAll(async () => {
  await Promise.all([floor?.stop(), runtime?.stop()]);
});

/** Every scenario given at its smoke sizes, once, on the targets given; the report and its table. */
async function smokeRun(scenarios: Scenario[], targets: Target[], runtime: string) {
  const { report } = await runBench({
    scenarios,
    params: new Map(scenarios.map((s) => [s.name, s.smoke])),
    targets,
    repeats: 1,
    machine: describeMachine(process.cwd()),
    command: "smoke test",
    runtime,
    progress: new Progress(true),
  });
  return { report, table: markdownTable(report) };
}

describe("benchmark smoke run", () => {
  it("runs every scenario on both floors and the server with nothing lost, duplicated or reordered", async () => {
    const server = externalTarget(inject("baseUrl"));
    const { report, table } = await smokeRun(SCENARIOS, [floor, runtime, server], "e2e server");
    expect(report.runs.map((r) => r.scenario)).toEqual(SCENARIOS.map((s) => s.name));
    for (const run of report.runs) {
      for (const name of ["floor", "runtime", "server"] as const) {
        const metrics = run.targets[name]?.metrics ?? [];
        for (const m of metrics.filter((x) => x.mustBeZero)) {
          expect({ scenario: run.scenario, target: name, metric: m.key, value: m.value }, table).toMatchObject({
            value: 0,
          });
        }
      }
    }
    // The figures the table is made of were measured, on every target.
    const figure = (scenario: string, target: TargetName, key: string) =>
      report.runs.find((r) => r.scenario === scenario)?.targets[target]?.metrics.find((m) => m.key === key)?.value;
    for (const target of ["floor", "runtime", "server"] as const) {
      expect(figure("dm-steady", target, "e2e_p50"), table).toBeGreaterThan(0);
      expect(figure("dm-saturate", target, "delivered_rate"), table).toBeGreaterThan(0);
      expect(figure("offline-sync", target, "open_30"), table).toBeGreaterThan(0);
      expect(figure("connections", target, "held"), table).toBe(20);
    }
    for (const target of ["floor", "runtime", "server"] as const) {
      expect(figure("group-fanout", target, "g3_p50"), table).toBeGreaterThan(0);
    }
    expect(table).toContain("| dm-steady | end-to-end p50 (ms) |");
    expect(table).toContain("| server ÷ runtime |");
    // Every scenario on three targets: about 58 s on the shared 2-core machine, the project's 60 s default too close.
  }, 120_000);
});

describe("the runtime floor storing once per chat (--runtime-floor-once)", () => {
  it("delivers every one-to-one message of the live scenarios once, in order, from either side of a chat", async () => {
    const once = await startRuntimeTarget({ once: true });
    try {
      const live = SCENARIOS.filter((s) => s.name === "dm-steady" || s.name === "dm-saturate");
      const { report, table } = await smokeRun(live, [once], "runtime floor, once per chat");
      for (const run of report.runs) {
        const metrics = run.targets.runtime?.metrics ?? [];
        expect(metrics.length, table).toBeGreaterThan(0);
        for (const m of metrics.filter((x) => x.mustBeZero)) {
          expect({ scenario: run.scenario, metric: m.key, value: m.value }, table).toMatchObject({ value: 0 });
        }
        // Every message was answered and delivered, whichever of the pair hosts the chat.
        expect(metrics.find((m) => m.key === "e2e_p50")?.value, table).toBeGreaterThan(0);
      }
    } finally {
      await once.stop();
    }
  }, 120_000);
});
