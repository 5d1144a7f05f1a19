// Starts the runtime floor (worker.ts) the way test/support/server.ts starts
// the real server: `wrangler dev` on a free port and its own state directory
// (local SQLite-backed Durable Objects), in its own process group so that
// stopping it stops its workerd processes too.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { freePort, newStateDir } from "../../test/support/server";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WRANGLER = path.join(ROOT, "node_modules/.bin/wrangler");
const CONFIG = path.join(ROOT, "bench/runtime-floor/wrangler.jsonc");

export interface RunningRuntimeFloor {
  url: string;
  /** The `wrangler dev` process; it leads the process group holding workerd. */
  pid: number | undefined;
  inspectorPort: number;
  persistTo: string;
  stop(): Promise<void>;
}

export async function startRuntimeFloor(
  options: { tmpfs?: boolean; verbose?: boolean; localObservability?: boolean } = {},
): Promise<RunningRuntimeFloor> {
  const port = await freePort();
  const inspectorPort = await freePort();
  // A fresh state directory every time (the users live in the isolate's memory anyway); with
  // --tmpfs in /dev/shm, as the server's, so that an fsync costs nothing.
  const prefix = "edge-chat-runtime-floor-";
  const persistTo = options.tmpfs ? mkdtempSync(`/dev/shm/${prefix}`) : newStateDir(prefix);
  const args = ["dev", "--config", CONFIG, "--port", String(port), "--ip", "127.0.0.1", "--persist-to", persistTo];
  args.push("--inspector-port", String(inspectorPort), "--show-interactive-dev-session=false");
  const child = spawn(WRANGLER, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      CI: "true",
      WRANGLER_SEND_METRICS: "false",
      // As for the server (bench/targets.ts): no per-event trace store unless asked for.
      X_LOCAL_OBSERVABILITY: options.localObservability ? "true" : "false",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    if (options.verbose) process.stderr.write(chunk);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(url, child, () => output);
  } catch (err) {
    rmSync(persistTo, { recursive: true, force: true });
    throw err;
  }
  return {
    url,
    pid: child.pid,
    inspectorPort,
    persistTo,
    stop: async () => {
      await terminate(child);
      rmSync(persistTo, { recursive: true, force: true });
    },
  };
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`runtime floor exited (${child.exitCode}):\n${output()}`);
    try {
      if ((await fetch(`${url}/api/me`)).status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await terminate(child);
  throw new Error(`runtime floor did not start:\n${output()}`);
}

function terminate(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    const signal = (s: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, s); // the whole group: wrangler and workerd
      } catch {
        // gone
      }
    };
    signal("SIGTERM");
    setTimeout(() => {
      signal("SIGKILL");
      resolve();
    }, 10_000).unref();
  });
}
