// Starts the runtime floor (worker.ts) as the real server is started
// (test/support/server.ts), with its own wrangler configuration: `wrangler
// dev` on a free port and a fresh state directory (local SQLite-backed
// Durable Objects), removed again when it stops.

import { mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { newStateDir, type RunningServer, startServer } from "../../test/support/server";

const ROOT = path.resolve(import.meta.dirname, "../..");
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
  options: { tmpfs?: boolean; verbose?: boolean; localObservability?: boolean; once?: boolean } = {},
): Promise<RunningRuntimeFloor> {
  // A fresh state directory every time (the users live in the isolate's memory anyway); with
  // --tmpfs in /dev/shm, as the server's, so that an fsync costs nothing.
  const prefix = "edge-chat-runtime-floor-";
  const persistTo = options.tmpfs ? mkdtempSync(`/dev/shm/${prefix}`) : newStateDir(prefix);
  let server: RunningServer;
  try {
    server = await startServer({
      config: CONFIG,
      persistTo,
      migrate: false, // no D1
      verbose: options.verbose ?? false,
      // As for the server (bench/targets.ts): no per-event trace store unless asked for.
      processEnv: { X_LOCAL_OBSERVABILITY: options.localObservability ? "true" : "false" },
      // One copy per one-to-one chat (user-floor.ts, docs/one-copy-per-chat.md).
      ...(options.once ? { vars: { FLOOR_ONCE: "true" } } : {}),
    });
  } catch (err) {
    rmSync(persistTo, { recursive: true, force: true });
    throw err;
  }
  return {
    url: server.url,
    pid: server.pid,
    inspectorPort: server.inspectorPort,
    persistTo,
    stop: async () => {
      await server.stop();
      rmSync(persistTo, { recursive: true, force: true });
    },
  };
}
