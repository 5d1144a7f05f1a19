// What the load is driven against: the real server (`wrangler dev`, i.e.
// workerd via Miniflare, started here on its own port and state directory, or
// an already running one given by --url), the floor relay (its own Node
// process) and, when asked for, the runtime floor (bench/runtime-floor: the
// least relay on workerd itself). Each can say how much memory and CPU it uses.

import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { startServer } from "../test/support/server";
import { type FloorRelay, startFloorRelay } from "./floor-relay";
import {
  cpuMsOf,
  groupProcesses,
  listeningPorts,
  type ProcessMemory,
  rssOf,
  threadCpuMsOf,
  writeBytesOf,
} from "./memory";
import { startRuntimeFloor } from "./runtime-floor/start";

export type TargetName = "floor" | "server" | "runtime";

export interface Target {
  name: TargetName;
  url: string;
  /** Serving processes' memory; empty when unknown (e.g. --url). */
  memory(): ProcessMemory[];
  /** CPU time the serving processes used so far (ms); null when unknown. */
  cpuMs(): number | null;
  /** CPU time (ms) of each thread of the worker process (not the proxy), by thread id; absent when unknown. */
  workerThreadsCpuMs?(): Map<number, number>;
  /** Bytes the serving processes wrote to disk so far (see writeBytesOf); null when unknown. */
  writeBytes?(): number | null;
  /** The worker's inspector, for CPU profiles (the server started here only). */
  inspectorPort?: number;
  stop(): Promise<void>;
}

/**
 * The frame budget per user is raised for the benchmark: one bench user sends
 * far more than a person does, and the limit is a policy, not a cost.
 */
export const BENCH_SERVER_VARS = { FRAME_RATE: "100000,100000" };

/**
 * wrangler dev records a trace of every event into a local SQLite store
 * (its "local observability"), with an fsync on workerd's one thread per
 * event; the deployed platform ships traces off the request path. Off unless
 * asked for, so the figures are the application's.
 */
export async function startServerTarget(options: {
  port?: number;
  persistTo?: string;
  verbose?: boolean;
  localObservability?: boolean;
  /** Talk to the worker's own workerd, past wrangler's dev proxy (see docs/benchmarks.md). */
  direct?: boolean;
  /** More of the server's vars (`--var NAME=VALUE`), e.g. a switch such as HOSTED_GUEST_SEND. */
  vars?: Record<string, string>;
}) {
  const { localObservability, direct, vars, ...rest } = options;
  const server = await startServer({
    ...rest,
    vars: { ...BENCH_SERVER_VARS, ...vars },
    processEnv: { X_LOCAL_OBSERVABILITY: localObservability ? "true" : "false" },
  });
  return { target: await workerdTarget("server", server, direct ?? false), persistTo: server.persistTo };
}

/** A target served by `wrangler dev`: its workerd processes' memory and CPU, and their inspector. */
async function workerdTarget(
  name: TargetName,
  running: { url: string; pid: number | undefined; inspectorPort: number; stop(): Promise<void> },
  direct: boolean,
): Promise<Target> {
  const workerd = () => (running.pid ? groupProcesses(running.pid, /^workerd$/) : []);
  return {
    name,
    url: direct ? await workerEntry(workerd()) : running.url,
    memory: workerd,
    cpuMs: () => workerd().reduce((sum, p) => sum + cpuMsOf(p.pid), 0),
    workerThreadsCpuMs: () => {
      const worker = workerd().find((p) => p.name === "workerd (worker)");
      return worker ? threadCpuMsOf(worker.pid) : new Map();
    },
    writeBytes: () => workerd().reduce((sum, p) => sum + writeBytesOf(p.pid), 0),
    inspectorPort: running.inspectorPort,
    stop: () => running.stop(),
  };
}

export function externalTarget(url: string, pids: number[] = []): Target {
  return {
    name: "server",
    url: url.replace(/\/$/, ""),
    memory: () => pids.map((pid) => ({ pid, name: "given pid", rssKb: rssOf(pid) })),
    cpuMs: () => (pids.length ? pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0) : null),
    stop: async () => {},
  };
}

/**
 * The runtime floor: `wrangler dev` with bench/runtime-floor/wrangler.jsonc,
 * on its own port and a fresh state directory (in /dev/shm with --tmpfs),
 * removed when it stops.
 */
export async function startRuntimeTarget(
  options: { tmpfs?: boolean; verbose?: boolean; localObservability?: boolean; direct?: boolean; once?: boolean } = {},
): Promise<Target> {
  const floor = await startRuntimeFloor({
    once: options.once ?? false,
    tmpfs: options.tmpfs ?? false,
    verbose: options.verbose ?? false,
    localObservability: options.localObservability ?? false,
  });
  return workerdTarget("runtime", floor, options.direct ?? false);
}

/** The floor in its own process (the benchmark), or in this one (the smoke test). */
export async function startFloorTarget(options: { port?: number; inProcess?: boolean } = {}): Promise<Target> {
  if (options.inProcess) {
    const relay: FloorRelay = await startFloorRelay(options.port ?? 0);
    return {
      name: "floor",
      url: relay.url,
      memory: () => [],
      cpuMs: () => null,
      stop: () => relay.close(),
    };
  }
  const script = path.join(import.meta.dirname, "floor-relay.js");
  const child = spawn(process.execPath, [script, "--port", String(options.port ?? 0)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`floor relay exited (${code})`)));
    child.stdout?.on("data", (chunk: Buffer) => {
      const match = chunk.toString().match(/listening (\d+)/);
      if (match) resolve(Number(match[1]));
    });
  });
  const pid = child.pid ?? 0;
  return {
    name: "floor",
    url: `http://127.0.0.1:${port}`,
    memory: () => [{ pid, name: "node (floor relay)", rssKb: rssOf(pid) }],
    cpuMs: () => cpuMsOf(pid),
    stop: () => stopChild(child),
  };
}

/**
 * wrangler dev puts a proxy worker (its own workerd) in front of the worker's
 * workerd; the worker's own entry socket listens on a random port. Finds it:
 * the listening port of the worker's process that answers the API (the
 * runtime floor answers /api/me the same way).
 */
async function workerEntry(processes: ProcessMemory[]): Promise<string> {
  const worker = processes.find((p) => p.name === "workerd (worker)");
  for (const port of worker ? listeningPorts(worker.pid) : []) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/me`);
      const body = await res.text();
      if (res.status === 401 && body.includes('"unauthorized"')) return `http://127.0.0.1:${port}`;
    } catch {
      // not an HTTP socket
    }
  }
  throw new Error("could not find the worker's own entry socket");
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  });
}
