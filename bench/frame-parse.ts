// Parse time per client frame (parseClientFrame: JSON.parse and the schema,
// the same two halves the user object runs with its frame table between
// them), by kind: `npm run bench:parse`. A measurement, not a test;
// docs/schemas.md has the figures. CPU time of this process
// (process.cpuUsage), not wall time, so that the other processes of a shared
// machine count less; the best of five rounds.

import { parseClientFrame } from "../src/shared/protocol";

const chat = "u:0123456789abcdef";
const id = `${"0".repeat(13)}0123456789abcdef`;
const FRAMES: Record<string, string> = {
  send: JSON.stringify({ type: "send", clientId: "c-1", chat, text: "hello there, how are you doing today?" }),
  received: JSON.stringify({ type: "received", ids: Array.from({ length: 20 }, () => id) }),
  read: JSON.stringify({ type: "read", chat, upTo: id }),
  sync: JSON.stringify({ type: "sync", after: 12345, batch: true }),
};
const N = 200_000;
const ROUNDS = 5;

/** CPU nanoseconds per call of `run` over N calls. */
function perCall(run: () => void): number {
  const start = process.cpuUsage();
  for (let i = 0; i < N; i++) run();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1e3) / N;
}

const best = new Map<string, number>();
for (let round = 1; round <= ROUNDS; round++) {
  const line: string[] = [];
  for (const [kind, raw] of Object.entries(FRAMES)) {
    const ns = perCall(() => parseClientFrame(raw));
    best.set(kind, Math.min(best.get(kind) ?? Number.POSITIVE_INFINITY, ns));
    line.push(`${kind} ${ns.toFixed(0)} ns`);
  }
  console.log(`round ${round}: ${line.join(", ")}`);
}
console.log(`best: ${[...best].map(([kind, ns]) => `${kind} ${ns.toFixed(0)} ns`).join(", ")}`);
