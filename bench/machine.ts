// What the figures were measured on: they mean little without it.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface Machine {
  nproc: number;
  cpu: string;
  memory: string;
  loadavg: number[];
  node: string;
  wrangler: string;
  os: string;
}

export function describeMachine(root: string): Machine {
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    memory: freeH(),
    loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
    node: process.version,
    wrangler: packageVersion(root, "wrangler"),
    os: `${os.type()} ${os.release()}`,
  };
}

function freeH(): string {
  try {
    const line = execFileSync("free", ["-h"], { encoding: "utf8" }).split("\n")[1] ?? "";
    const [, total, used] = line.trim().split(/\s+/);
    return `${total} total, ${used} used`;
  } catch {
    return `${(os.totalmem() / 2 ** 30).toFixed(1)}Gi total`;
  }
}

function packageVersion(root: string, name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8"));
    return String(pkg.version);
  } catch {
    return "unknown";
  }
}

/** CPU time the whole machine spent busy so far (ms, all cores; /proc/stat's idle and iowait excluded). */
export function machineBusyMs(): number {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((sum, t) => sum + t, 0);
    return ((total - (ticks[3] ?? 0) - (ticks[4] ?? 0)) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}
