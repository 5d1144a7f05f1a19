// `npm start`: the development secret, the local D1 migrations, the web page,
// then `wrangler dev` on http://localhost:${PORT:-8787}. Local D1, R2 and
// Durable Objects live under .wrangler/state (or --persist-to's folder).
//
// It prints the address and real warnings only: wrangler's banner, telemetry
// notice and update check are off, the Request.cf fetch (geolocation data
// from the network; the app reads none of it) is off, and wrangler logs at
// "warn" unless `--log-level` says otherwise. Every child runs in its own
// process group, and any way this script is stopped (SIGINT, SIGTERM, SIGHUP,
// or its parent going away: npm forwards SIGTERM to `sh`, not to us) stops
// them all, SIGKILL after a grace period, so the ports are free after.
// Variables and flags: README.md, "Run it".

import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { ensureDevSecret } from "./dev-secret.mjs";
import { ensureDevVapid } from "./dev-vapid.mjs";

const WRANGLER = "node_modules/.bin/wrangler";
const GRACE_MS = 3000;
const args = process.argv.slice(2);
const quiet = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

/** The value of `--name N` or `--name=N` in the passed arguments. */
function flag(name) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1];
    if (args[i]?.startsWith(`${name}=`)) return args[i].slice(name.length + 1);
  }
  return undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const children = new Set();
let stopping = false;

/** Starts a child in its own process group; resolves with its output and exit code. */
function run(cmd, cmdArgs, { env = quiet, show = false } = {}) {
  const stdio = ["ignore", show ? "inherit" : "pipe", show ? "inherit" : "pipe"];
  const child = spawn(cmd, cmdArgs, { env, detached: true, stdio });
  children.add(child);
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const done = new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      children.delete(child);
      resolve({ code: code ?? (signal ? 1 : 0), output });
    });
  });
  return { child, done };
}

function killGroups(signal) {
  for (const child of children) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  }
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  killGroups("SIGTERM");
  const deadline = Date.now() + GRACE_MS;
  while (children.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  killGroups("SIGKILL"); // workerd or a grandchild that outlived the grace period
  process.exit(code);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stop(0));
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop(0);
}, 100).unref();

async function step(what, cmd, cmdArgs, options) {
  const { code, output } = await run(cmd, cmdArgs, options).done;
  if (stopping) return "";
  if (code !== 0) {
    process.stderr.write(`${output}\n${what} failed (exit ${code})\n`);
    await stop(code);
  }
  return output;
}

if (ensureDevSecret()) console.log("wrote a new development secret to .dev.vars");
if (ensureDevVapid()) console.log("wrote new development Web Push (VAPID) keys to .dev.vars");

const persist = flag("--persist-to");
const persistArgs = persist ? ["--persist-to", persist] : [];
// One set of migrations, applied to every account shard (scripts/migrate-local.mjs).
const applied = await step(
  "applying the D1 migrations",
  process.execPath,
  ["scripts/migrate-local.mjs", ...persistArgs],
  { env: { ...quiet, CI: "true" } },
);
const byShard = [...applied.matchAll(/^(DB_\d+): (.+)$/gm)];
const names = [...new Set(byShard.flatMap((m) => m[2].split(", ")))];
if (names.length > 0) {
  console.log(`applied the D1 migrations ${names.join(", ")} to ${byShard.map((m) => m[1]).join(", ")}`);
}

if (process.env.WEB_BUILD !== "0") {
  await step("building the web page", "node_modules/.bin/vite", [
    "build",
    "--config",
    "src/web/vite.config.ts",
    "--logLevel",
    "warn",
  ]);
}

const port = flag("--port") ?? process.env.PORT ?? "8787";
const devArgs = ["dev", "--ip", "127.0.0.1", "--show-interactive-dev-session=false"];
if (!flag("--port")) devArgs.push("--port", port);
if (!flag("--inspector-port")) devArgs.push("--inspector-port", String(await freePort()));
if (!flag("--log-level")) devArgs.push("--log-level", "warn");
const dev = run(WRANGLER, [...devArgs, ...args], { show: true });
void dev.done.then(({ code }) => {
  if (!stopping) {
    console.error(`wrangler dev exited (${code})`);
    void stop(code || 1);
  }
});

const url = `http://localhost:${port}`;
for (let waited = 0; !stopping && waited < 120_000; waited += 250) {
  const up = await fetch(`http://127.0.0.1:${port}/api/me`).then(
    (res) => res.status === 401,
    () => false,
  );
  if (up) {
    console.log(`edge-chat is running at ${url} (Ctrl-C stops it)`);
    break;
  }
  await new Promise((r) => setTimeout(r, 250));
}
