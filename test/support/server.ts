// Starts the real local server (`wrangler dev`, i.e. workerd with local D1, R2
// and Durable Objects) for end-to-end tests and benchmarks, on its own port and
// state directory, and stops or kills it (SIGKILL, for crash tests).

import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AuthAnswer } from "../../src/shared/protocol";
import { registerUser } from "./raw-socket";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WRANGLER = path.join(ROOT, "node_modules/.bin/wrangler");
export const TEST_SECRET = "e2e-secret-e2e-secret-e2e-secret-0123456789";

export interface ServerOptions {
  port?: number;
  /** State directory (D1, R2, Durable Objects); reuse it to restart on the same state. */
  persistTo?: string;
  vars?: Record<string, string>;
  /** A wrangler environment (e.g. "production"); default: the top level (development). */
  env?: string;
  /** Apply the D1 migrations first (default true; a restart on migrated state may skip it). */
  migrate?: boolean;
  /** Print the server's output (for debugging). */
  verbose?: boolean;
  /** Append the server's output to this file, each line stamped with the time it came. */
  logFile?: string;
  /** Another wrangler configuration than the project's (the benchmark's runtime floor). */
  config?: string;
  /** More environment for wrangler and workerd. */
  processEnv?: Record<string, string>;
}

export interface RunningServer {
  url: string;
  port: number;
  persistTo: string;
  /** The `wrangler dev` process; it leads a process group holding workerd. */
  pid: number | undefined;
  /** wrangler's inspector (Chrome DevTools protocol) for the worker, for profiling. */
  inspectorPort: number;
  /** Graceful stop. */
  stop(): Promise<void>;
  /** SIGKILL to the whole process group: no chance to flush anything. */
  kill(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** Runs a command to its end: its exit status and output together. */
function runOnce(cmd: string, args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...process.env, CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, output }));
  });
}

export function newStateDir(prefix = "edge-chat-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const persistTo = options.persistTo ?? newStateDir();
  mkdirSync(path.join(ROOT, "dist/web"), { recursive: true });
  const envArgs = options.env ? ["--env", options.env] : [];
  if (options.migrate !== false) {
    // Every account shard (wrangler.toml's DB_n), as `npm start` does.
    const migrate = await runOnce(process.execPath, [
      path.join(ROOT, "scripts/migrate-local.mjs"),
      "--persist-to",
      persistTo,
      ...envArgs,
    ]);
    if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.output}`);
  }

  // One copy per one-to-one chat (docs/one-copy-per-chat.md): as wrangler.toml says, unless the run asks otherwise.
  const hosted = process.env.HOSTED_GUEST_SEND ? { HOSTED_GUEST_SEND: process.env.HOSTED_GUEST_SEND } : {};
  const vars = { JWT_SECRET: TEST_SECRET, ...hosted, ...options.vars };
  const args = ["dev", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", persistTo, ...envArgs];
  if (options.config) args.push("--config", options.config);
  const inspectorPort = await freePort();
  args.push("--inspector-port", String(inspectorPort), "--show-interactive-dev-session=false");
  for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`);
  const child = spawn(WRANGLER, args, {
    cwd: ROOT,
    // No Request.cf fetch from the network (the app reads none of it): tests run offline.
    env: {
      ...process.env,
      CI: "true",
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      ...options.processEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    if (options.verbose) process.stderr.write(chunk);
    if (options.logFile) appendFileSync(options.logFile, stamped(chunk.toString()));
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(url, child, () => output);
  return {
    url,
    port,
    persistTo,
    pid: child.pid,
    inspectorPort,
    stop: () => terminate(child, "SIGTERM"),
    kill: () => terminate(child, "SIGKILL"),
  };
}

/**
 * A server whose ADMIN_USER_IDS holds a registered operator (the admin routes'
 * caller). Its id exists only once registered, so it is registered first and the
 * runtime stopped and started on the same state, as an operator would.
 * `options` are those of the running server, for `restartServer`.
 */
export async function startWithOperator(
  options: ServerOptions = {},
): Promise<{ server: RunningServer; operator: AuthAnswer; options: ServerOptions }> {
  const persistTo = options.persistTo ?? newStateDir();
  const first = await startServer({ ...options, persistTo });
  let operator: AuthAnswer;
  try {
    operator = await registerUser(first.url, "op");
  } finally {
    await first.stop();
  }
  const again = { ...options, persistTo, vars: { ...options.vars, ADMIN_USER_IDS: operator.user.id }, migrate: false };
  return { server: await startServer(again), operator, options: again };
}

/** Kills the server (SIGKILL: nothing flushed) and starts it again on its state and port, not migrating again. */
export async function restartServer(server: RunningServer, options: ServerOptions = {}): Promise<RunningServer> {
  await server.kill();
  return startServer({ ...options, persistTo: server.persistTo, port: server.port, migrate: false });
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${output()}`);
    try {
      const res = await fetch(`${url}/api/me`);
      if (res.status === 401) return;
      // A production server without a real secret is up too: it refuses with our own 503.
      if (res.status === 503 && ((await res.json()) as { error?: { code?: string } }).error?.code === "unavailable") {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill("SIGKILL");
  throw new Error(`server did not start:\n${output()}`);
}

function stamped(text: string): string {
  const at = new Date().toISOString().slice(11, 23);
  return text.replace(/^(?=.)/gm, `${at} `);
}

function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    try {
      if (child.pid) process.kill(-child.pid, signal); // the whole group: wrangler and workerd
    } catch {
      resolve();
    }
    setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // gone
      }
      resolve();
    }, 10_000).unref();
  });
}
