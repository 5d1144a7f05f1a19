// Summarises a .cpuprofile of the worker (bench --profile): busy time by
// source file and by function (self), and the inclusive time of the
// functions asked for, per unit of work if given. Bundle positions map back
// to src/ through wrangler's source map (the newest .wrangler/tmp/dev-*/index.js.map
// unless --map says).
//
//   node scripts/cpuprofile-summary.mjs bench/results/<stamp>-group-fanout.cpuprofile \
//     [--map path/index.js.map] [--per 20000] [--top 40] [--incl takeGroup,run,ack]
//
// Idle, (program) and (garbage collector) are shown apart; "busy" leaves out
// (idle) only. Each sample counts its time delta (as DevTools does), or with
// --samples one sampling interval each: on a loaded machine the gaps between
// samples stretch at random, and the time-weighted view weighs whatever ran
// before a stall.

import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { SourceMapConsumer } from "source-map-js";

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--") && args[args.indexOf(a) - 1]?.startsWith("--") !== true);
if (!file) {
  console.error("usage: cpuprofile-summary.mjs <file.cpuprofile> [--map m] [--per n] [--top n] [--incl a,b]");
  process.exit(2);
}
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const per = Number(opt("per", "0"));
const top = Number(opt("top", "40"));
const incl = (opt("incl", "") || "").split(",").filter(Boolean);

function newestMap() {
  const dir = ".wrangler/tmp";
  let best = null;
  for (const d of readdirSync(dir)) {
    const p = path.join(dir, d, "index.js.map");
    try {
      const t = statSync(p).mtimeMs;
      if (!best || t > best.t) best = { p, t };
    } catch {}
  }
  return best?.p;
}
const mapPath = opt("map", undefined) ?? newestMap();
const consumer = mapPath ? new SourceMapConsumer(JSON.parse(readFileSync(mapPath, "utf8"))) : null;

const profile = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const where = new Map();
function locate(node) {
  let w = where.get(node.id);
  if (w) return w;
  const f = node.callFrame;
  let src = f.url ? f.url.split("/").slice(-1)[0] : "";
  let line = f.lineNumber + 1;
  if (consumer && f.url && /index\.js$/.test(f.url)) {
    const o = consumer.originalPositionFor({ line: f.lineNumber + 1, column: f.columnNumber ?? 0 });
    if (o.source) {
      src = o.source.replace(/^.*?(src\/|node_modules\/)/, "$1");
      line = o.line;
    }
  }
  const name = f.functionName || "(anonymous)";
  w = { name, src, key: `${name} ${src}${src ? `:${line}` : ""}` };
  where.set(node.id, w);
  return w;
}

const samples = profile.samples ?? [];
const deltas = profile.timeDeltas ?? [];
const bySamples = args.includes("--samples");
// The interval asked for (bench/profiler.ts: 200 µs); the median delta where it was not.
const interval = [...deltas].sort((a, b) => a - b)[deltas.length >> 1] ?? 200;
const self = new Map();
const byFile = new Map();
const inclusive = new Map(incl.map((n) => [n, 0]));
let total = 0;
let idle = 0;
for (let i = 0; i < samples.length; i++) {
  const id = samples[i];
  const us = bySamples ? interval : (deltas[i + 1] ?? deltas[i] ?? 0);
  const node = byId.get(id);
  const w = locate(node);
  total += us;
  if (w.name === "(idle)") {
    idle += us;
    continue;
  }
  self.set(w.key, (self.get(w.key) ?? 0) + us);
  // A native frame (exec, send, setTimeout...) counts for the file that called it.
  let f = w.src || w.name;
  if (!w.src && w.name !== "(program)" && w.name !== "(garbage collector)") {
    for (let n = parent.get(id); n !== undefined; n = parent.get(n)) {
      const up = locate(byId.get(n));
      if (up.src) {
        f = `${up.src} (native calls: ${w.name})`.replace(/ \(native calls: .*\)$/, " (with native calls)");
        break;
      }
    }
  }
  byFile.set(f, (byFile.get(f) ?? 0) + us);
  if (incl.length > 0) {
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const nm = locate(byId.get(n)).name;
      if (inclusive.has(nm) && !seen.has(nm)) {
        seen.add(nm);
        inclusive.set(nm, inclusive.get(nm) + us);
      }
    }
  }
}
const busy = total - idle;
const ms = (us) => (us / 1000).toFixed(1);
const unit = (us) => (per ? `  ${((us / 1000 / per) * 1000).toFixed(2)} µs/unit` : "");
console.log(`profile ${file}`);
console.log(
  `window ${ms(total)} ms, busy ${ms(busy)} ms${per ? `, ${((busy / 1000 / per) * 1000).toFixed(1)} µs busy per unit (${per} units)` : ""}`,
);
console.log("\nby source file (self; a native call counted apart, for the file that made it):");
for (const [f, us] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${ms(us).padStart(9)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}%${unit(us)}  ${f}`);
console.log("\nby function (self):");
for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${ms(us).padStart(9)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}%${unit(us)}  ${k}`);
if (incl.length > 0) {
  console.log("\ninclusive (any frame of that name on the stack):");
  for (const [k, us] of inclusive)
    console.log(`${ms(us).padStart(9)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}%${unit(us)}  ${k}`);
}

// --callers a,b: where the self time of these functions was spent from (two frames up).
const callersOf = (opt("callers", "") || "").split(",").filter(Boolean);
for (const target of callersOf) {
  const by = new Map();
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i];
    const us = bySamples ? interval : (deltas[i + 1] ?? deltas[i] ?? 0);
    if (locate(byId.get(id)).name !== target) continue;
    const p1 = parent.get(id);
    const p2 = p1 === undefined ? undefined : parent.get(p1);
    const k = [p1, p2].map((n) => (n === undefined ? "-" : locate(byId.get(n)).key)).join(" < ");
    by.set(k, (by.get(k) ?? 0) + us);
  }
  console.log(`\ncallers of ${target} (self time):`);
  for (const [k, us] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 12))
    console.log(`${ms(us).padStart(9)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${k}`);
}
