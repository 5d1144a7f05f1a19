// connections: idle sockets ramped up step by step to N, heartbeats flowing,
// held for a while; the serving processes' resident memory at each step gives
// the memory per connection. Sockets are spread over the run's users as
// several devices each, up to the server's limit per user (registering 18,000
// users would cost PBKDF2 time unrelated to holding sockets); each device
// syncs from past its cursor, so it replays nothing.

import { SOCKETS_PER_USER_MAX } from "../../src/shared/limits";
import { createDevice, type Device, live } from "../client";
import { fdLinks, openDatabasesOf } from "../memory";
import { inParallel, sleep } from "../pool";
import { Samples } from "../stats";
import type { BenchUser } from "../users";
import { cursorOf } from "./devices";
import { type Metric, num, type Scenario, type ScenarioResult } from "./types";

export const connections: Scenario = {
  name: "connections",
  description: "idle sockets ramped to N with heartbeats: sockets held, server memory per socket",
  defaults: { sockets: 18000, step: 2000, users: 1800, hold: 30, heartbeat: 10, concurrency: 50, warm: 1 },
  smoke: { sockets: 20, step: 10, users: 4, hold: 1, heartbeat: 1, concurrency: 5, warm: 0 },
  users: (p) => num(p, "users"),
  async run(ctx): Promise<ScenarioResult> {
    const p = ctx.params;
    const [total, step, holdS] = [num(p, "sockets"), num(p, "step"), num(p, "hold")];
    const users = ctx.pool.slice(0, Math.min(num(p, "users"), total));
    if (Math.ceil(total / users.length) > SOCKETS_PER_USER_MAX) {
      throw new Error(`${total} sockets need at least ${Math.ceil(total / SOCKETS_PER_USER_MAX)} users (--users)`);
    }
    const rss = () => ctx.target.memory().reduce((sum, m) => sum + m.rssKb, 0);
    // Objects in memory: each holds its SQLite database open (the accounts' D1 files count too, a constant).
    const awake = () => ctx.target.memory().reduce((sum, m) => sum + openDatabasesOf(m.pid), 0);
    const files = () => ctx.target.memory().reduce((sum, m) => sum + fdLinks(m.pid).length, 0);
    const state = () => `${(rss() / 1024).toFixed(0)} MB, ${files()} open files (${awake()} databases)`;
    const devices: Device[] = [];
    const openLatency = new Samples();
    let failed = 0;
    let dropped = 0;
    await ctx.measured.start();
    const rss0 = rss();
    const steps: string[] = [`0 sockets: ${(rss0 / 1024).toFixed(0)} MB`];
    // Opens `count` devices, the i-th for user (from + i) mod users: spread evenly.
    const openDevices = (from: number, count: number) =>
      inParallel(count, num(p, "concurrency"), async (i) => {
        const user = users[(from + i) % users.length] as BenchUser;
        const device = createDevice({
          baseUrl: ctx.target.url,
          token: user.token,
          userId: user.id,
          cursor: cursorOf(user) + 1e9, // idle: nothing to replay
          heartbeatMs: num(p, "heartbeat") * 1000,
        });
        const t = performance.now();
        try {
          await live(device, true);
          openLatency.add(performance.now() - t);
          device.on("state", ({ state }) => {
            if (state !== "live" && state !== "closed") dropped++;
          });
          return device;
        } catch {
          failed++;
          return null;
        } finally {
          ctx.progress.update(`${ctx.label}: ${from + i + 1}/${total} sockets, ${failed} failed`);
        }
      });
    const t0 = performance.now();
    while (devices.length < total) {
      const count = Math.min(step, total - devices.length);
      const opened = await openDevices(devices.length, count);
      for (const d of opened) if (d) devices.push(d);
      const refused = opened.filter((d) => d === null).length;
      if (refused > count / 10) {
        // The target is at its limit (e.g. out of file descriptors): hold what it took.
        steps.push(`${devices.length} sockets: ramp stopped, ${refused} of the last ${count} refused`);
        break;
      }
      await sleep(500); // let the server settle before reading its memory
      steps.push(`${devices.length} sockets: ${state()}`);
      ctx.progress.log(`${ctx.label}: ${steps.at(-1)}`);
    }
    const rampS = (performance.now() - t0) / 1000;
    const rssPeak = rss();
    for (let s = 0; s < holdS; s++) {
      ctx.progress.update(`${ctx.label}: holding ${devices.length} sockets ${s}/${holdS} s, ${dropped} dropped`);
      await sleep(1000);
    }
    const rssHeld = rss();
    const awakeHeld = awake();
    steps.push(`after the hold: ${state()}`);
    const held = devices.filter((d) => d.state === "live").length;
    // The warm round: all closed, then as many opened again. Memory the runtime
    // keeps once freed (its allocator) is not counted twice, so the growth of
    // this round is what a held socket costs.
    let warm: number | null = null;
    if (num(p, "warm") > 0 && held === total) {
      for (const d of devices.splice(0)) d.close();
      await sleep(15_000); // past workerd's 10 s eviction of idle objects
      const rssClosed = rss();
      steps.push(`all closed: ${state()}`);
      for (let from = 0; from < total; from += step) {
        for (const d of await openDevices(from, Math.min(step, total - from))) if (d) devices.push(d);
      }
      await sleep(holdS * 1000);
      const rssWarm = rss();
      steps.push(`${devices.length} opened again: ${state()}`);
      warm = (rssWarm - rssClosed) / total;
    }
    await ctx.measured.stop();
    for (const d of devices) d.close();
    const perSocket = devices.length > 0 && rss0 > 0 ? (rssHeld - rss0) / devices.length : null;
    const open = openLatency.summary();
    const metrics: Metric[] = [
      {
        key: "held",
        label: "sockets held after the hold",
        value: held,
        unit: "sockets",
        goal: { op: ">=", value: total },
      },
      { key: "failed", label: "sockets that failed to open", value: failed, unit: "sockets", mustBeZero: true },
      { key: "dropped", label: "sockets dropped while held", value: dropped, unit: "sockets", mustBeZero: true },
      { key: "open_rate", label: "sockets opened per second", value: devices.length / rampS, unit: "/s" },
      { key: "open_p50", label: "socket open → live p50", value: open?.p50 ?? null, unit: "ms" },
      { key: "open_p99", label: "socket open → live p99", value: open?.p99 ?? null, unit: "ms" },
      {
        key: "awake_held",
        label: "databases open after the hold (objects in memory)",
        value: awakeHeld,
        unit: "files",
      },
      { key: "rss_base", label: "server memory before", value: rss0 ? rss0 / 1024 : null, unit: "MB" },
      { key: "rss_peak", label: "server memory at peak", value: rssPeak ? rssPeak / 1024 : null, unit: "MB" },
      {
        key: "kb_per_socket",
        label: "server memory per socket",
        value: perSocket,
        unit: "KB",
        goal: { op: "<=", value: 40 },
      },
      {
        key: "kb_per_socket_warm",
        label: "server memory per socket, warm round (all closed, then opened again)",
        value: warm,
        unit: "KB",
        goal: { op: "<=", value: 40 },
      },
    ];
    return { metrics, latencies: [{ label: "socket open → live", samples: openLatency }], notes: steps };
  },
};
