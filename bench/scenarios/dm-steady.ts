// dm-steady: P pairs, an offered rate of R messages per second in all, for T
// seconds, open loop (a message leaves at its time whatever the answers).

import { sleep } from "../pool";
import { correctness, cpuShare, diskPerMessage, drain, openPairs, warmUp } from "./dm-common";
import { num, type Scenario, type ScenarioResult } from "./types";

export function dmSteady(name: string, pairs: number, goals: { p50?: number; p99: number }): Scenario {
  return {
    name,
    description: `${pairs} pairs, a steady offered rate, end-to-end and \`sent\` latency`,
    defaults: { pairs, rate: 200, seconds: 20, size: 100 },
    smoke: { pairs: 2, rate: 20, seconds: 1, size: 40, settle: 0 },
    users: (p) => 2 * num(p, "pairs"),
    async run(ctx): Promise<ScenarioResult> {
      const [P, rate, seconds] = [num(ctx.params, "pairs"), num(ctx.params, "rate"), num(ctx.params, "seconds")];
      const pairSet = await openPairs(ctx, P, num(ctx.params, "size"));
      const { tracker } = pairSet;
      await warmUp(ctx, pairSet, P);
      tracker.measuring = true;
      await ctx.measured.start();
      const cpu0 = ctx.target.cpuMs();
      const disk0 = ctx.target.writeBytes?.();
      const t0 = performance.now();
      const total = Math.round(rate * seconds);
      let k = 0;
      while (k < total) {
        const elapsed = performance.now() - t0;
        const due = Math.min(total, Math.floor((elapsed * rate) / 1000) + 1);
        for (; k < due; k++) pairSet.send(k % P, 2 + Math.floor(k / P));
        ctx.progress.update(
          `${ctx.label}: ${(elapsed / 1000).toFixed(1)}/${seconds} s, sent ${tracker.sent}, delivered ${tracker.delivered}`,
        );
        await sleep(1);
      }
      const sendWall = performance.now() - t0;
      await drain(ctx, tracker);
      const wall = performance.now() - t0;
      const cpuMetrics = cpuShare(ctx, cpu0, wall, tracker.delivered);
      // The alarms that store what the last messages left in memory (OUTBOX_SAFETY_MS is 5 s).
      await sleep(6_000);
      const diskMetrics = diskPerMessage(ctx, disk0, tracker.delivered);
      await ctx.measured.stop();
      pairSet.close();
      const e2e = tracker.e2e.summary();
      const sent = tracker.sentLatency.summary();
      return {
        metrics: [
          { key: "e2e_p50", label: "end-to-end p50", value: e2e?.p50 ?? null, unit: "ms", ...goal(goals.p50) },
          { key: "e2e_p95", label: "end-to-end p95", value: e2e?.p95 ?? null, unit: "ms" },
          { key: "e2e_p99", label: "end-to-end p99", value: e2e?.p99 ?? null, unit: "ms", ...goal(goals.p99) },
          { key: "e2e_max", label: "end-to-end max", value: e2e?.max ?? null, unit: "ms" },
          { key: "sent_p50", label: "`sent` p50", value: sent?.p50 ?? null, unit: "ms" },
          { key: "sent_p99", label: "`sent` p99", value: sent?.p99 ?? null, unit: "ms" },
          { key: "offered", label: "offered rate achieved", value: (total * 1000) / sendWall, unit: "msg/s" },
          {
            key: "delivered_rate",
            label: "delivered per second",
            value: (tracker.e2e.count * 1000) / Math.max(1, tracker.lastDeliveryAt - t0),
            unit: "msg/s",
          },
          ...cpuMetrics,
          ...diskMetrics,
          ...correctness(tracker),
        ],
        latencies: [
          { label: "end-to-end", samples: tracker.e2e },
          { label: "sent", samples: tracker.sentLatency },
        ],
        notes: [],
        timeline: tracker.timeline.build(),
      };
    },
  };
}

function goal(value: number | undefined) {
  return value === undefined ? {} : { goal: { op: "<=" as const, value } };
}
