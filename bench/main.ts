// `npm run bench -- [scenario ...] [options]`: see docs/benchmarks.md.
// Starts the floor relay and the real server (`wrangler dev`), unless told
// otherwise, and the runtime floor when asked for (--runtime-floor), runs the
// scenarios on each and writes the report.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { updateDocs } from "./docs";
import { describeMachine } from "./machine";
import { Progress } from "./progress";
import { markdownTable } from "./report";
import { runBench } from "./run";
import { findScenario, SCENARIOS } from "./scenarios/index";
import type { Params, Scenario } from "./scenarios/types";
import { latencyPlot } from "./svg";
import { externalTarget, startFloorTarget, startRuntimeTarget, startServerTarget, type Target } from "./targets";
import { UserPool } from "./users";

const ROOT = path.resolve(import.meta.dirname, "../..");
const RESULTS = path.join(ROOT, "bench/results");
const USAGE = `usage: npm run bench -- [scenario ...] [options]
scenarios: ${SCENARIOS.map((s) => s.name).join(", ")} (default: all)
options:
  --url URL          drive an already running server instead of starting one
  --server-pid PID   with --url: the process whose memory and CPU to report (repeatable)
  --no-floor         skip the floor relay        --no-server   skip the server
  --runtime-floor    also run the runtime floor (bench/runtime-floor: the least relay
                     on workerd, one SQLite object per user); --tmpfs and --direct apply to it
  --runtime-floor-once  the runtime floor storing each one-to-one message once, at the
                     chat's host (docs/one-copy-per-chat.md); live dm scenarios only
  --repeat N         run each scenario N times per target; figures are medians
  --smoke            tiny parameters (seconds)
  --state DIR        keep the server's state and users in DIR (reused next time)
  --tmpfs            keep the server's state in memory (/dev/shm): no fsync cost
  --direct           drive the worker's own workerd, past wrangler's dev proxy
  --local-observability  keep wrangler's per-event trace store on (off by default)
  --port N           the server's port (default: a free one)
  --var NAME=VALUE   one more var for the server (repeatable), e.g. --var HOSTED_GUEST_SEND=on
  --write-docs       put the figures into docs/benchmarks.md
  --verbose          show the server's output
  --profile          CPU-profile the worker over each scenario's measured part
                     (bench/results/<time>-<scenario>.cpuprofile; top functions and GC pauses)
  --heap             a heap snapshot of the worker after each scenario's warm-up
                     (bench/results/<time>-<scenario>.heapsnapshot; classes by retained size)
  --<param> V        override a scenario parameter, e.g. --pairs 10 --seconds 5 --sizes 1000,10000`;

interface Cli {
  names: string[];
  flags: Map<string, string[]>;
}

function parse(argv: string[]): Cli {
  const names: string[] = [];
  const flags = new Map<string, string[]>();
  const boolean = new Set(["no-floor", "no-server", "smoke", "write-docs", "verbose", "help"]);
  for (const flag of [
    "tmpfs",
    "local-observability",
    "profile",
    "heap",
    "direct",
    "runtime-floor",
    "runtime-floor-once",
  ]) {
    boolean.add(flag);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) {
      names.push(arg);
      continue;
    }
    const key = arg.slice(2);
    const value = boolean.has(key) ? "true" : (argv[++i] ?? "");
    flags.set(key, [...(flags.get(key) ?? []), value]);
  }
  return { names, flags };
}

/** `--var NAME=VALUE`, repeatable: vars the server gets beside the bench's own. */
function serverVars(given: string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const pair of given) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new Error(`--var wants NAME=VALUE, got "${pair}"`);
    vars[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return vars;
}

function paramsFor(scenario: Scenario, cli: Cli): Params {
  const params: Params = { ...(cli.flags.has("smoke") ? scenario.smoke : scenario.defaults) };
  for (const key of Object.keys(params)) {
    const raw = cli.flags.get(key)?.at(-1);
    if (raw === undefined) continue;
    params[key] = raw.includes(",") || Array.isArray(params[key]) ? raw.split(",").map(Number) : Number(raw);
  }
  return params;
}

async function main(): Promise<void> {
  const cli = parse(process.argv.slice(2));
  if (cli.flags.has("help")) return void console.log(USAGE);
  const scenarios = cli.names.length ? cli.names.map((n) => findScenario(n)) : SCENARIOS;
  const unknown = cli.names.filter((_n, i) => !scenarios[i]);
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(", ")}\n${USAGE}`);
  const selected = scenarios as Scenario[];
  const known = new Set([
    ...[
      "url",
      "server-pid",
      "no-floor",
      "no-server",
      "repeat",
      "smoke",
      "state",
      "port",
      "write-docs",
      "verbose",
      "var",
    ],
    ...["help", "tmpfs", "local-observability", "profile", "heap", "direct", "runtime-floor", "runtime-floor-once"],
  ]);
  for (const s of selected) for (const k of Object.keys(s.defaults)) known.add(k);
  const bad = [...cli.flags.keys()].filter((k) => !known.has(k));
  if (bad.length) throw new Error(`unknown option --${bad.join(", --")}\n${USAGE}`);

  const progress = new Progress();
  const targets: Target[] = [];
  const flag = (k: string) => cli.flags.get(k)?.at(-1);
  let runtime = "";
  let runtimeFloor = "";
  let userCache: string | undefined;
  /** A state directory made for this run only, removed at the end. */
  let scratch: string | undefined;
  try {
    if (!cli.flags.has("no-floor")) {
      progress.update("starting the floor relay");
      targets.push(await startFloorTarget());
    }
    // Before the server, in the table's column order (floor, runtime floor, server).
    const once = cli.flags.has("runtime-floor-once");
    if (cli.flags.has("runtime-floor") || once) {
      progress.update("starting the runtime floor (wrangler dev)");
      const tmpfs = cli.flags.has("tmpfs");
      const direct = cli.flags.has("direct");
      targets.push(
        await startRuntimeTarget({
          once,
          tmpfs,
          direct,
          verbose: cli.flags.has("verbose"),
          localObservability: cli.flags.has("local-observability"),
        }),
      );
      runtimeFloor = [
        "runtime floor: bench/runtime-floor on `wrangler dev`",
        ...(once ? ["storing each one-to-one message once, at the chat's host (docs/one-copy-per-chat.md)"] : []),
        tmpfs ? "state in memory (tmpfs)" : "state on disk",
        direct ? "past the dev proxy" : "through the dev proxy",
      ].join(", ");
    }
    if (!cli.flags.has("no-server")) {
      const url = flag("url");
      if (url) {
        targets.push(externalTarget(url, (cli.flags.get("server-pid") ?? []).map(Number)));
        runtime = `an already running server at ${url}`;
      } else {
        progress.update("starting the server (wrangler dev)");
        const state = flag("state");
        const port = flag("port");
        const tmpfs = cli.flags.has("tmpfs");
        const localObservability = cli.flags.has("local-observability");
        const { target, persistTo } = await startServerTarget({
          ...(port ? { port: Number(port) } : {}),
          ...(state
            ? { persistTo: path.resolve(state) }
            : tmpfs
              ? { persistTo: mkdtempSync("/dev/shm/edge-chat-") }
              : {}),
          verbose: cli.flags.has("verbose"),
          localObservability,
          direct: cli.flags.has("direct"),
          vars: serverVars(cli.flags.get("var") ?? []),
        });
        targets.push(target);
        if (!state) scratch = persistTo;
        if (state) userCache = UserPool.cacheFileFor(path.resolve(state));
        runtime = [
          "`wrangler dev` (workerd via Miniflare; local SQLite-backed Durable Objects and D1)",
          tmpfs ? `state in memory (${persistTo}, tmpfs: fsync costs nothing)` : `state on disk (${persistTo})`,
          localObservability ? "local observability on" : "local observability off",
          cli.flags.has("direct") ? "driven past wrangler's dev proxy (--direct)" : "through wrangler's dev proxy",
          ...(cli.flags.get("var") ?? []).map((v) => `var ${v}`),
        ].join("; ");
      }
    }
    if (runtimeFloor) runtime = runtime ? `${runtime}; ${runtimeFloor}` : runtimeFloor;
    const params = new Map(selected.map((s) => [s.name, paramsFor(s, cli)]));
    mkdirSync(RESULTS, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const repeats = Number(flag("repeat") ?? 1);
    const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
    const { report, series } = await runBench({
      scenarios: selected,
      params,
      targets,
      repeats,
      machine: describeMachine(ROOT),
      command,
      runtime,
      progress,
      ...(userCache ? { userCache } : {}),
      ...(cli.flags.has("profile") ? { profileTo: path.join(RESULTS, stamp) } : {}),
      ...(cli.flags.has("heap") ? { heapTo: path.join(RESULTS, stamp) } : {}),
      onProgress: (runs) => writeFileSync(path.join(RESULTS, `${stamp}.partial.json`), JSON.stringify(runs, null, 1)),
    });
    rmSync(path.join(RESULTS, `${stamp}.partial.json`), { force: true });

    const table = markdownTable(report);
    const m = report.machine;
    console.log(`# edge-chat benchmark, ${report.startedAt}\n`);
    console.log(`${m.nproc} cores (${m.cpu}), ${m.memory}; load average at start ${m.loadavg.join(" ")}`);
    console.log(`server: ${runtime || "none"}; ${repeats} repeat(s), medians; ${report.durationS} s\n`);
    console.log(table);

    const dir = RESULTS;
    const written = [path.join(dir, `${stamp}.json`)];
    writeFileSync(written[0] as string, JSON.stringify(report, null, 1));
    for (const [name, plots] of series) {
      if (plots.length === 0) continue;
      const file = path.join(dir, `${stamp}-${name}.svg`);
      writeFileSync(file, latencyPlot(`${name}: latency distribution (${report.startedAt})`, plots));
      written.push(file);
    }
    console.log(`\nwritten: ${written.map((f) => path.relative(ROOT, f)).join(", ")}`);
    if (cli.flags.has("write-docs")) {
      updateDocs(path.join(ROOT, "docs/benchmarks.md"), report, table);
      console.log("updated docs/benchmarks.md");
    }
  } finally {
    progress.clear();
    for (const target of targets) await target.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
