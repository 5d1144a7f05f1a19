// Pairs of users, each with one device, for the one-to-one scenarios; message k
// of a pair alternates direction (A to B, then B to A), so both objects of a
// pair send and receive.

import type { Device } from "../client";
import { sleep } from "../pool";
import type { BenchUser } from "../users";
import { closeAll, connectAll } from "./devices";
import { DmTracker } from "./dm-tracker";
import type { Metric, ScenarioContext } from "./types";

export interface Pairs {
  users: BenchUser[];
  devices: Device[];
  tracker: DmTracker;
  /** Sends message number k of pair p. */
  send(p: number, k: number): void;
  close(): void;
}

export async function openPairs(ctx: ScenarioContext, pairs: number, textSize: number): Promise<Pairs> {
  const users = ctx.pool.slice(0, 2 * pairs);
  const devices = await connectAll(ctx.target.url, users, ctx.progress, ctx.label);
  const tracker = new DmTracker(textSize);
  users.forEach((user, i) => {
    tracker.watch(user, devices[i] as Device);
  });
  const send = (p: number, k: number) => {
    const [from, to] = k % 2 === 0 ? [2 * p, 2 * p + 1] : [2 * p + 1, 2 * p];
    tracker.send(users[from] as BenchUser, devices[from] as Device, users[to] as BenchUser);
  };
  return { users, devices, tracker, send, close: () => closeAll(users, devices) };
}

/**
 * The server holds a receipt up to 2 s before it commits it on its own
 * (src/objects/user/receipt-hold.ts, RECEIPT_HOLD_MS), a little more here.
 * The smoke parameters set `settle` to 0 (seconds): they check the figures
 * are there, not their speed.
 */
const RECEIPT_SETTLE_MS = 2_500;

/**
 * One message each way per pair, unmeasured: wakes every object and fills
 * caches first. It ends once the warm-up's own work is done: its messages
 * delivered, their receipts back on the senders' devices, and the senders'
 * hold of those receipts past. Measuring from the last delivery instead put
 * the receipts of 1,000 warm-up messages, all at once, into the first
 * second measured, on every target (docs/benchmarks.md, dm-steady-1k's tail).
 */
export async function warmUp(ctx: ScenarioContext, pairs: Pairs, count: number): Promise<void> {
  ctx.progress.update(`${ctx.label}: warming up`);
  for (let p = 0; p < count; p++) {
    pairs.send(p, 0);
    pairs.send(p, 1);
  }
  // Waking many objects locally takes a while (each checks its schema and commits): wait while it progresses.
  // (What never arrives counts as lost, like any other message.)
  await drain(ctx, pairs.tracker);
  if (ctx.target.name === "floor") return; // the floor relay sends no receipts (bench/floor-relay.ts)
  await receipts(ctx, pairs.tracker);
  const settle = ctx.params.settle;
  await sleep(typeof settle === "number" ? settle * 1000 : RECEIPT_SETTLE_MS);
}

/** Waits until every delivered message's receipt reached its sender, as long as receipts keep coming. */
async function receipts(ctx: ScenarioContext, tracker: DmTracker, quietMs = 10_000): Promise<void> {
  let seen = tracker.receipted;
  let lastProgress = performance.now();
  while (tracker.receipted < tracker.delivered && performance.now() - lastProgress < quietMs) {
    if (tracker.receipted !== seen) {
      seen = tracker.receipted;
      lastProgress = performance.now();
    }
    ctx.progress.update(`${ctx.label}: warm-up receipts, ${tracker.delivered - tracker.receipted} to come`);
    await sleep(10);
  }
}

/**
 * Waits for what is in flight: as long as deliveries or `sent` answers keep
 * coming (a slow target catches up), until none came for `quietMs`; what is
 * still missing then is lost (or unanswered). Both are waited for: in a
 * hosted chat (docs/one-copy-per-chat.md) the host's device may show a
 * guest's message before the guest's own `sent` arrives.
 */
export async function drain(ctx: ScenarioContext, tracker: DmTracker, quietMs = 30_000, maxMs = 600_000) {
  const t0 = performance.now();
  let seen = tracker.delivered + tracker.answered;
  let lastProgress = performance.now();
  while ((tracker.outstanding > 0 || tracker.unanswered > 0) && performance.now() - t0 < maxMs) {
    if (tracker.delivered + tracker.answered !== seen) {
      seen = tracker.delivered + tracker.answered;
      lastProgress = performance.now();
    }
    if (performance.now() - lastProgress > quietMs) break;
    ctx.progress.update(
      `${ctx.label}: draining, ${tracker.outstanding} in flight, ${tracker.unanswered} without \`sent\``,
    );
    await sleep(10);
  }
}

export function correctness(tracker: DmTracker): Metric[] {
  return [
    { key: "lost", label: "lost (sent, never delivered)", value: tracker.lost, unit: "msgs", mustBeZero: true },
    { key: "duplicated", label: "duplicated", value: tracker.duplicated, unit: "msgs", mustBeZero: true },
    { key: "misordered", label: "out of order", value: tracker.misordered, unit: "msgs", mustBeZero: true },
    { key: "unanswered", label: "no `sent` answer", value: tracker.unanswered, unit: "msgs", mustBeZero: true },
    { key: "errors", label: "error frames", value: tracker.errors, unit: "msgs", mustBeZero: true },
  ];
}

/**
 * Bytes the serving processes wrote to disk over the measured part, per
 * message sent, delivered and read (the devices acknowledge what arrives and
 * read every tenth message, bench/scenarios/dm-tracker.ts). It includes the
 * alarms that store what the last messages left in memory, which is why the
 * caller takes it after the drain and a pause longer than the safety net.
 */
export function diskPerMessage(ctx: ScenarioContext, before: number | null | undefined, messages: number): Metric[] {
  const after = ctx.target.writeBytes?.();
  const used = before === null || before === undefined || after === null || after === undefined ? null : after - before;
  return [
    {
      key: "disk_per_msg",
      label: "server disk writes per message (write_bytes)",
      value: used === null || messages === 0 ? null : used / messages / 1024,
      unit: "KB",
    },
  ];
}

/**
 * The serving processes' CPU over the measured part: as a share of one core,
 * and per delivered message. The latter hardly depends on what else the
 * machine runs, so it is the figure to compare optimizations by.
 */
export function cpuShare(ctx: ScenarioContext, cpuBefore: number | null, wallMs: number, messages: number): Metric[] {
  const after = ctx.target.cpuMs();
  const used = cpuBefore === null || after === null ? null : after - cpuBefore;
  return [
    {
      key: "cpu",
      label: "server CPU (100% = one core)",
      value: used === null ? null : (100 * used) / wallMs,
      unit: "%",
    },
    {
      key: "cpu_per_msg",
      label: "server CPU per message",
      value: used === null || messages === 0 ? null : used / messages,
      unit: "ms",
    },
  ];
}
