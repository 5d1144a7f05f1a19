// `npm run bench:search -- [--messages N] [--senders S] [--runs R] [--keep] [--verbose]`
// Fills one mailbox with N messages (default 100,000) sent over real sockets
// by S users, then measures GET /api/search latency for common and rare
// words, and what the index adds per message in storage and insert time.
// Not a test: it prints figures (docs/benchmarks.md, "Search", explains them).

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import type { ChatSummary } from "../src/shared/protocol";
import { http, registerUser } from "../test/support/raw-socket";
import { startServer } from "../test/support/server";
import { countMatches, makeCorpus, SYLLABLES } from "./search/corpus";
import type { QuerySpec } from "./search/engine";
import { runSender } from "./search/fill";
import { type LatencyFigures, measureQuery } from "./search/latency";
import { findReaderDatabase, measureStorage } from "./search/storage";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}
const MESSAGES = option("messages", 100_000);
const SENDERS = option("senders", 40);
const RUNS = option("runs", 200);
const KEEP = process.argv.includes("--keep");
const log = (line: string) => process.stderr.write(`${line}\n`);

const corpus = makeCorpus(MESSAGES);
const server = await startServer({ verbose: process.argv.includes("--verbose") });
log(`server ${server.url}, state ${server.persistTo}`);
let stopped = false;
try {
  const reader = await registerUser(server.url, "reader");
  const senders = await Promise.all(Array.from({ length: SENDERS }, () => registerUser(server.url, "sender")));

  // ---- fill: message i goes from sender i % S
  const started = performance.now();
  let sent = 0;
  const progress = setInterval(() => {
    const seconds = (performance.now() - started) / 1000;
    log(`sent ${sent}/${MESSAGES} (${Math.round(sent / seconds)}/s)`);
  }, 10_000);
  const perSender = await Promise.all(
    senders.map((sender, s) =>
      runSender(
        server.url,
        { token: sender.token, chat: `u:${reader.user.id}`, texts: corpus.texts.filter((_, i) => i % SENDERS === s) },
        () => sent++,
      ),
    ),
  );
  clearInterval(progress);
  const sentSeconds = (performance.now() - started) / 1000;
  await waitForDelivery(
    server.url,
    reader.token,
    senders.map((s, i) => [s.user.id, perSender[i]?.at(-1) ?? ""]),
  );
  const filledSeconds = (performance.now() - started) / 1000;
  log(`filled in ${filledSeconds.toFixed(0)} s (all sent after ${sentSeconds.toFixed(0)} s)`);

  // ---- latency
  const idOf = (i: number) => perSender[i % SENDERS]?.[Math.floor(i / SENDERS)] ?? "";
  const [common, tenth, mid] = [corpus.vocabulary[0] ?? "", corpus.vocabulary[9] ?? "", corpus.vocabulary[199] ?? ""];
  const specs: QuerySpec[] = [
    { name: "common word (rank 1)", words: [common] },
    { name: "common word, page from the middle", words: [common], beforeIndex: MESSAGES / 2 },
    { name: "2-letter prefix", words: [common.slice(0, 2)] },
    { name: "two common words (ranks 1, 10)", words: [common, tenth] },
    { name: "mid word (rank 200)", words: [mid] },
    { name: `rare word (${corpus.rare})`, words: [corpus.rare] },
    { name: "absent word", words: [corpus.missing] },
    { name: "worst case: 32 two-letter prefixes", words: SYLLABLES.slice(0, 32) },
  ];
  // No words: answered before the user object is asked, so this is the cost
  // of the Worker and the token check alone, the floor under every figure.
  const latency = [
    await measureQuery(
      server.url,
      reader.token,
      { name: "no words (Worker and token check only)", query: "q=%22", matching: 0 },
      RUNS,
    ),
  ];
  for (const spec of specs) {
    const extra = spec.beforeIndex === undefined ? "" : `&before=${idOf(spec.beforeIndex)}`;
    const query = `q=${encodeURIComponent(spec.words.join(" "))}&limit=50${extra}`;
    const matching = extra ? Number.NaN : countMatches(corpus.texts, spec.words);
    latency.push(await measureQuery(server.url, reader.token, { name: spec.name, query, matching }, RUNS));
    log(`measured ${spec.name}`);
  }

  await server.stop();
  stopped = true;
  const storage = measureStorage(findReaderDatabase(server.persistTo), specs, RUNS);
  if (storage.messages !== MESSAGES) throw new Error(`the reader holds ${storage.messages} messages, not ${MESSAGES}`);

  const results = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    messages: MESSAGES,
    senders: SENDERS,
    runs: RUNS,
    fill: { seconds: filledSeconds, perSecond: MESSAGES / filledSeconds },
    latency,
    storage,
  };
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/search.json", `${JSON.stringify(results, null, 2)}\n`);
  console.log(report(results));
} finally {
  if (!stopped) await server.stop();
  if (KEEP) log(`state kept in ${server.persistTo}`);
  else rmSync(server.persistTo, { recursive: true, force: true });
}

async function waitForDelivery(url: string, token: string, newest: [string, string][]): Promise<void> {
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    const res = await http<{ chats: ChatSummary[] }>(url, "/api/chats", { token });
    const last = new Map(res.body.chats.map((c) => [c.chat, c.lastMessage?.id]));
    const behind = newest.filter(([id, newestId]) => last.get(`u:${id}`) !== newestId).length;
    if (behind === 0) return;
    if (Date.now() > deadline) throw new Error(`${behind} senders' messages never arrived`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function report(r: {
  messages: number;
  senders: number;
  runs: number;
  machine: string;
  node: string;
  fill: { seconds: number; perSecond: number };
  latency: LatencyFigures[];
  storage: ReturnType<typeof measureStorage>;
}): string {
  const ms = (x: number) => x.toFixed(1);
  const s = r.storage;
  return [
    `Search benchmark: ${r.messages} messages in one mailbox, from ${r.senders} senders; ${r.runs} sequential queries each (limit 50).`,
    `Machine: ${r.machine}; Node ${r.node}; SQLite ${s.sqliteVersion} for the storage and insert figures.`,
    `Fill: ${r.fill.seconds.toFixed(0)} s, ${r.fill.perSecond.toFixed(0)} messages/s end to end.`,
    "",
    "HTTP: GET /api/search as a client sees it. SQLite: the same query alone, on a copy of the mailbox.",
    "",
    "| query | matching messages | returned | HTTP p50 ms | HTTP p99 ms | HTTP max ms | SQLite p50 ms | SQLite p99 ms |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...r.latency.map((l) => {
      const e = s.engine.find((x) => x.name === l.name);
      const matching = Number.isNaN(l.matching) ? "-" : l.matching;
      return `| ${l.name} | ${matching} | ${l.returned} | ${ms(l.p50)} | ${ms(l.p99)} | ${ms(l.max)} | ${e ? e.p50.toFixed(2) : "-"} | ${e ? e.p99.toFixed(2) : "-"} |`;
    }),
    "",
    "| per message | value |",
    "|---|---:|",
    `| text (UTF-8 bytes, average) | ${s.textBytesPerMessage.toFixed(0)} B |`,
    `| messages table and its indexes | ${s.messageBytesPerMessage.toFixed(0)} B |`,
    `| search index (messages_fts*) | ${s.indexBytesPerMessage.toFixed(0)} B |`,
    `| insert time without the index | ${((s.plainInsertMs * 1000) / s.messages).toFixed(1)} µs |`,
    `| insert time with the index | ${((s.indexedInsertMs * 1000) / s.messages).toFixed(1)} µs |`,
    `| added by the index | ${s.indexUsPerMessage.toFixed(1)} µs |`,
    "",
    `Backfill (schema step 2 on a mailbox of ${s.messages}): ${(s.backfillMs / 1000).toFixed(2)} s.`,
  ].join("\n");
}
