// `npm run bench:search -- [--messages N] [--senders S] [--runs R] [--keep] [--verbose] [--local-observability]`
// Fills one mailbox with N messages (default 100,000) sent over real sockets
// by S users, then measures GET /api/search latency for common and rare
// words, what the index adds per message in storage and insert time, and how
// the prefix-index options compare.
// `npm run bench:search -- --analyze DIR [--messages N]` redoes the SQLite
// part on a state directory kept by `--keep`, without sending anything.
// Not a test: it prints figures (docs/benchmarks.md, "Search", explains them).

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { registerUser } from "../test/support/raw-socket";
import { type RunningServer, startServer } from "../test/support/server";
import { countMatches, makeCorpus } from "./search/corpus";
import { runSender, waitForDelivery } from "./search/fill";
import { type LatencyFigures, measureQuery } from "./search/latency";
import { report, type SearchResults } from "./search/report";
import { querySpecs } from "./search/specs";
import { findReaderDatabase, measureStorage } from "./search/storage";
import { measureVariants } from "./search/variants";
import { BENCH_SERVER_VARS } from "./targets";

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}
const MESSAGES = Number(option("messages") ?? 100_000);
const SENDERS = Number(option("senders") ?? 40);
const RUNS = Number(option("runs") ?? 200);
const ANALYZE = option("analyze");
const log = (line: string) => process.stderr.write(`${line}\n`);

const corpus = makeCorpus(MESSAGES);
const specs = querySpecs(corpus);

/** Fills the mailbox and times the HTTP queries; returns with the server stopped. */
async function fillAndQuery(server: RunningServer): Promise<Pick<SearchResults, "fill" | "latency">> {
  const reader = await registerUser(server.url, "reader");
  const senders = await Promise.all(Array.from({ length: SENDERS }, () => registerUser(server.url, "sender")));
  const started = performance.now();
  let sent = 0;
  const progress = setInterval(() => log(`sent ${sent}/${MESSAGES}`), 30_000);
  // Message i goes from sender i % S.
  const perSender = await Promise.all(
    senders.map((sender, s) => {
      const texts = corpus.texts.filter((_, i) => i % SENDERS === s);
      return runSender(server.url, { token: sender.token, chat: `u:${reader.user.id}`, texts }, () => sent++);
    }),
  );
  clearInterval(progress);
  // Ids sort in time order; a send retried after rate_limited may not be the last one sent.
  const newest = senders.map((s, i): [string, string] => [s.user.id, [...(perSender[i] ?? [])].sort().at(-1) ?? ""]);
  await waitForDelivery(server.url, reader.token, newest);
  const seconds = (performance.now() - started) / 1000;
  log(`filled in ${seconds.toFixed(0)} s`);

  const idOf = (i: number) => perSender[i % SENDERS]?.[Math.floor(i / SENDERS)] ?? "";
  // No words: answered before the user object is asked, so this is the cost
  // of the Worker and the token check alone, the floor under every figure.
  const floor = { name: "no words (Worker and token check only)", query: "q=%22", matching: 0 };
  const latency: LatencyFigures[] = [await measureQuery(server.url, reader.token, floor, RUNS)];
  for (const spec of specs) {
    const before = spec.beforeIndex === undefined ? "" : `&before=${idOf(spec.beforeIndex)}`;
    const query = `q=${encodeURIComponent(spec.words.join(" "))}&limit=50${before}`;
    const matching = before ? Number.NaN : countMatches(corpus.texts, spec.words);
    latency.push(await measureQuery(server.url, reader.token, { name: spec.name, query, matching }, RUNS));
    log(`measured ${spec.name}`);
  }
  return { fill: { seconds, perSecond: MESSAGES / seconds }, latency };
}

let stateDir = ANALYZE;
let measured: Pick<SearchResults, "fill" | "latency"> = {};
if (!stateDir) {
  // As `npm run bench` does (bench/targets.ts): wrangler dev's local trace
  // store (an fsync per event) off, and the per-user frame budget, a policy
  // and not a cost, lifted (the senders still pace themselves under it).
  const server = await startServer({
    verbose: process.argv.includes("--verbose"),
    vars: BENCH_SERVER_VARS,
    processEnv: { X_LOCAL_OBSERVABILITY: process.argv.includes("--local-observability") ? "true" : "false" },
  });
  stateDir = server.persistTo;
  log(`server ${server.url}, state ${stateDir}`);
  try {
    measured = await fillAndQuery(server);
  } catch (err) {
    if (!process.argv.includes("--keep")) rmSync(stateDir, { recursive: true, force: true });
    throw err;
  } finally {
    await server.stop();
  }
}
const file = findReaderDatabase(stateDir);
const storage = measureStorage(file, specs, RUNS);
if (storage.messages !== MESSAGES) throw new Error(`the reader holds ${storage.messages} messages, not ${MESSAGES}`);
log("measuring prefix index options");
const variants = measureVariants(file, specs, Math.min(RUNS, 50));
if (process.argv.includes("--keep")) log(`state kept in ${stateDir}`);
else if (!ANALYZE) rmSync(stateDir, { recursive: true, force: true });

const results: SearchResults = {
  date: new Date().toISOString().slice(0, 10),
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load ${os.loadavg()[0]?.toFixed(1)}`,
  node: process.version,
  messages: MESSAGES,
  senders: SENDERS,
  runs: RUNS,
  ...measured,
  storage,
  variants,
};
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/search.json", `${JSON.stringify(results, null, 2)}\n`);
console.log(report(results));
