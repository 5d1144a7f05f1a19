// dm-saturate: P pairs, each keeping K messages in flight (sent, not yet on
// the recipient's device) for T seconds: the most messages per second the
// target delivers end to end.

import { sleep } from "../pool";
import { correctness, cpuShare, drain, openPairs, warmUp } from "./dm-common";
import { num, type Scenario, type ScenarioResult } from "./types";

export const dmSaturate: Scenario = {
  name: "dm-saturate",
  description: "pairs with a window of messages in flight: delivered messages per second",
  defaults: { pairs: 50, window: 10, seconds: 10, size: 100 },
  smoke: { pairs: 2, window: 3, seconds: 1, size: 40, settle: 0 },
  users: (p) => 2 * num(p, "pairs"),
  async run(ctx): Promise<ScenarioResult> {
    const [P, K, seconds] = [num(ctx.params, "pairs"), num(ctx.params, "window"), num(ctx.params, "seconds")];
    const pairSet = await openPairs(ctx, P, num(ctx.params, "size"));
    const { tracker } = pairSet;
    await warmUp(ctx, pairSet, P);
    const pairOf = new Map<string, number>();
    pairSet.users.forEach((u, i) => {
      pairOf.set(String(u.index), Math.floor(i / 2));
    });
    const nextK = new Array<number>(P).fill(2);
    const sendNext = (p: number) => {
      const k = nextK[p] ?? 2;
      nextK[p] = k + 1;
      pairSet.send(p, k);
    };
    let open = true;
    let deliveredInWindow = 0;
    tracker.onDelivered = (dir) => {
      const p = pairOf.get(dir.slice(0, dir.indexOf(">"))) ?? 0;
      if (!open) return;
      deliveredInWindow++;
      sendNext(p);
    };
    tracker.measuring = true;
    await ctx.measured.start();
    const cpu0 = ctx.target.cpuMs();
    const t0 = performance.now();
    for (let p = 0; p < P; p++) for (let i = 0; i < K; i++) sendNext(p);
    while (performance.now() - t0 < seconds * 1000) {
      ctx.progress.update(
        `${ctx.label}: ${((performance.now() - t0) / 1000).toFixed(1)}/${seconds} s, delivered ${deliveredInWindow}`,
      );
      await sleep(100);
    }
    open = false;
    const wall = performance.now() - t0;
    const cpu = cpuShare(ctx, cpu0, wall, deliveredInWindow);
    await ctx.measured.stop();
    await drain(ctx, tracker);
    pairSet.close();
    const e2e = tracker.e2e.summary();
    return {
      metrics: [
        {
          key: "delivered_rate",
          label: "delivered per second",
          value: (deliveredInWindow * 1000) / wall,
          unit: "msg/s",
          goal: { op: ">=", value: 3000 },
        },
        { key: "e2e_p50", label: "end-to-end p50 (saturated)", value: e2e?.p50 ?? null, unit: "ms" },
        { key: "e2e_p99", label: "end-to-end p99 (saturated)", value: e2e?.p99 ?? null, unit: "ms" },
        ...cpu,
        ...correctness(tracker),
      ],
      latencies: [{ label: "end-to-end", samples: tracker.e2e }],
      notes: [],
    };
  },
};
