// group-fanout: one group each of 10, 100 and 1,000 members, every member's
// device connected, acknowledging what arrives and reading every tenth
// message; one member sends M messages at a steady rate. Per delivery: send ->
// the member's device; per message: send -> the last member; and the server's
// disk writes per message, taken after a pause that lets the batched writes
// of positions and cursors (docs/groups.md) reach the disk.

import type { ChatId, Message } from "../../src/shared/protocol";
import { Api, ApiError, type Device } from "../client";
import { machineBusyMs } from "../machine";
import { sleep, waitFor } from "../pool";
import { Samples } from "../stats";
import type { BenchUser } from "../users";
import { closeAll, connectAll } from "./devices";
import { list, type Metric, num, type Scenario, type ScenarioContext, type ScenarioResult } from "./types";

/**
 * Longer than an idle object takes to leave memory (about 10 s locally), when
 * SQLite checkpoints the object's WAL into its database file: those writes
 * belong to what came before, so they are counted.
 */
const DISK_SETTLE_MS = 32_000;

/**
 * A wake-up round that reaches every member within this is taken as the
 * group being live: well under the ~10 s an idle object stays in memory
 * locally. A slower round (the machine busy, 1,000 objects to wake) may have
 * let the members it woke first leave memory again before the measured
 * messages reach them, and the measure would pay their wake instead.
 */
const WAKE_ROUND_MS = 5_000;
const WAKE_ROUNDS_MAX = 4;

export const groupFanout: Scenario = {
  name: "group-fanout",
  description: "groups of 10, 100, 1,000 members: fan-out latency to every member",
  defaults: { sizes: [10, 100, 1000], messages: 20, rate: 5, size: 100, settle: DISK_SETTLE_MS },
  smoke: { sizes: [3], messages: 3, rate: 10, size: 40, settle: 0 },
  users: (p) => Math.max(...list(p, "sizes")),
  async run(ctx): Promise<ScenarioResult> {
    const metrics: Metric[] = [];
    const latencies: ScenarioResult["latencies"] = [];
    const notes: string[] = [];
    for (const size of list(ctx.params, "sizes")) {
      const r = await oneGroup(ctx, ctx.pool.slice(0, size));
      if (!r) {
        notes.push("groups are not available on this server yet (POST /api/groups failed)");
        break;
      }
      const per = r.perDelivery.summary();
      const all = r.complete.summary();
      // Latency growing message by message means the fan-out fell behind; a flat one, a round's length.
      notes.push(
        `${size} members, by message, ms to the median member / the last: ${r.byMessage.map((m) => `${m.median.toFixed(0)}/${m.last.toFixed(0)}`).join(" ")}`,
      );
      if (r.wakeRounds > 1) notes.push(`${size} members: ${r.wakeRounds} wake-up rounds before the measure`);
      metrics.push(
        { key: `g${size}_p50`, label: `${size} members: delivery p50`, value: per?.p50 ?? null, unit: "ms" },
        { key: `g${size}_p99`, label: `${size} members: delivery p99`, value: per?.p99 ?? null, unit: "ms" },
        {
          key: `g${size}_all_p50`,
          label: `${size} members: to the last member p50`,
          value: all?.p50 ?? null,
          unit: "ms",
        },
        { key: `g${size}_rate`, label: `${size} members: deliveries per second`, value: r.rate, unit: "/s" },
        {
          key: `g${size}_disk`,
          label: `${size} members: server disk writes per message (write_bytes)`,
          value: r.diskBytes === null ? null : r.diskBytes / num(ctx.params, "messages") / 1024,
          unit: "KB",
        },
        {
          key: `g${size}_cpu`,
          label: `${size} members: server CPU per delivery`,
          value: r.cpuMs === null || r.perDelivery.count === 0 ? null : r.cpuMs / r.perDelivery.count,
          unit: "ms",
        },
        {
          key: `g${size}_client_cpu`,
          label: `${size} members: bench client CPU per delivery`,
          value: r.perDelivery.count === 0 ? null : r.clientCpuMs / r.perDelivery.count,
          unit: "ms",
        },
        {
          key: `g${size}_thread`,
          label: `${size} members: worker's busiest thread, share of the measure`,
          value: r.workerThreadShare === null ? null : r.workerThreadShare * 100,
          unit: "%",
        },
        { key: `g${size}_cores`, label: `${size} members: machine CPU in use`, value: r.machineCores, unit: "cores" },
        {
          key: `g${size}_lost`,
          label: `${size} members: lost deliveries`,
          value: r.lost,
          unit: "msgs",
          mustBeZero: true,
        },
        {
          key: `g${size}_dup`,
          label: `${size} members: duplicated`,
          value: r.duplicated,
          unit: "msgs",
          mustBeZero: true,
        },
      );
      latencies.push({ label: `delivery, ${size} members`, samples: r.perDelivery });
    }
    return { metrics, latencies, notes };
  },
};

async function oneGroup(ctx: ScenarioContext, members: BenchUser[]) {
  const [owner] = members as [BenchUser];
  let chat: ChatId;
  try {
    const group = await new Api({ baseUrl: ctx.target.url, token: owner.token }).createGroup(
      `bench ${members.length}`,
      members.slice(1).map((m) => m.id),
    );
    chat = `g:${group.id}`;
  } catch (err) {
    if (err instanceof ApiError) return null;
    throw err;
  }
  const devices = await connectAll(ctx.target.url, members, ctx.progress, ctx.label);
  const M = num(ctx.params, "messages");
  const rate = num(ctx.params, "rate");
  const tag = Date.now().toString(36);
  const pad = "x".repeat(Math.max(0, num(ctx.params, "size") - 20));
  const sentAt = new Map<string, number>();
  const seen = new Map<string, number>(); // text -> deliveries so far
  const perDelivery = new Samples();
  const byMessage = new Map<string, number[]>(); // text -> each delivery's latency, in arrival order
  const complete = new Samples();
  let duplicated = 0;
  const others = members.length - 1;
  const firstSeen = new Set<string>();
  const readCount = new Map<string, number>();
  const warmText = `${tag}#warm-up`;
  const wakeText = `${tag}#wake-up`;
  const wakeRound = new Map<string, number>(); // wake-up text -> members it reached
  let warmed = 0;
  members.forEach((member, i) => {
    if (i === 0) return;
    (devices[i] as Device).on("message", (m: Message) => {
      if (m.chat !== chat) return;
      if (m.text === warmText) return void warmed++;
      if (m.text.startsWith(wakeText)) return void wakeRound.set(m.text, (wakeRound.get(m.text) ?? 0) + 1);
      const t0 = sentAt.get(m.text);
      if (t0 === undefined) return;
      const key = `${member.id} ${m.text}`;
      if (firstSeen.has(key)) return void duplicated++;
      firstSeen.add(key);
      const now = performance.now();
      perDelivery.add(now - t0);
      byMessage.get(m.text)?.push(now - t0);
      const mine = (readCount.get(member.id) ?? 0) + 1;
      readCount.set(member.id, mine);
      if (mine % 10 === 0) (devices[i] as Device).markRead(chat, m.id);
      const count = (seen.get(m.text) ?? 0) + 1;
      seen.set(m.text, count);
      if (count === others) complete.add(now - t0);
    });
  });
  const owner0 = devices[0] as Device;
  // Set-up is not the messages' cost: new users' objects create their schema,
  // the group its log, and each member writes its first row for the group on
  // its first message. One message, then the settle, so those writes and the
  // checkpoints of their WAL when the objects leave memory land before the count.
  owner0.send(chat, warmText);
  await waitFor(() => warmed >= others, 30_000, 20);
  await sleep(num(ctx.params, "settle"));
  // The settle let the members' objects leave memory (about 10 s idle): one
  // more message wakes them, so the count is of a live group, where members
  // get a message every few hundred ms and stay in memory. (A group quieter
  // than that: --rate 0.05, say, a message every 20 s, wakes them each time.)
  // A round slower than WAKE_ROUND_MS goes again: its first members may have left memory meanwhile.
  let wakeRounds = 0;
  for (let slow = true; slow && wakeRounds < WAKE_ROUNDS_MAX; ) {
    const text = `${wakeText}#${++wakeRounds}`;
    const start = performance.now();
    owner0.send(chat, text);
    await waitFor(() => (wakeRound.get(text) ?? 0) >= others, 60_000, 20);
    slow = performance.now() - start > WAKE_ROUND_MS;
  }
  await ctx.measured.start();
  const diskBefore = ctx.target.writeBytes?.() ?? null;
  const cpuBefore = ctx.target.cpuMs();
  const load = loadMeter(ctx);
  const t0 = performance.now();
  for (let k = 0; k < M; k++) {
    const text = `${tag}#${k}#${pad}`;
    sentAt.set(text, performance.now());
    byMessage.set(text, []);
    owner0.send(chat, text);
    ctx.progress.update(`${ctx.label}: ${members.length} members: sent ${k + 1}/${M}, deliveries ${perDelivery.count}`);
    await sleep(1000 / rate);
  }
  await waitFor(() => perDelivery.count >= M * others, 30_000, 20);
  const wall = performance.now() - t0;
  const cpuAfter = ctx.target.cpuMs();
  const used = load.stop(wall);
  await ctx.measured.stop();
  await sleep(num(ctx.params, "settle"));
  const diskAfter = ctx.target.writeBytes?.() ?? null;
  closeAll(members, devices);
  return {
    perDelivery,
    complete,
    rate: (perDelivery.count * 1000) / wall,
    cpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
    diskBytes: diskBefore === null || diskAfter === null ? null : diskAfter - diskBefore,
    lost: M * others - perDelivery.count,
    wakeRounds,
    duplicated,
    ...used,
    byMessage: [...byMessage.values()].map((ms) => ({
      median: ms.sort((a, b) => a - b)[ms.length >> 1] ?? 0,
      last: ms.at(-1) ?? 0,
    })),
  };
}

/**
 * Where the CPU went over the measure: the bench client's own process (1,000
 * devices on one Node thread), the worker's busiest thread (the one that runs
 * every object) as a share of the wall time, and the whole machine in cores.
 * With 2 cores, a machine near 2 or a thread near 100% is a ceiling the
 * figures above cannot pass, whatever the server's code.
 */
function loadMeter(ctx: ScenarioContext) {
  const client = process.cpuUsage();
  const machine = machineBusyMs();
  const threads = ctx.target.workerThreadsCpuMs?.() ?? new Map<number, number>();
  return {
    stop(wall: number) {
      const spent = process.cpuUsage(client);
      let busiest: number | null = null;
      for (const [tid, ms] of ctx.target.workerThreadsCpuMs?.() ?? []) {
        const delta = ms - (threads.get(tid) ?? 0);
        if (busiest === null || delta > busiest) busiest = delta;
      }
      return {
        clientCpuMs: (spent.user + spent.system) / 1000,
        workerThreadShare: busiest === null ? null : busiest / wall,
        machineCores: (machineBusyMs() - machine) / wall,
      };
    },
  };
}
