// Parse time per client frame (parseClientFrame: JSON.parse and the schema),
// by kind: `npm run bench:parse`. A measurement, not a test; docs/schemas.md
// has the figures before and after the schemas.

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

for (let round = 1; round <= 3; round++) {
  const line: string[] = [];
  for (const [kind, raw] of Object.entries(FRAMES)) {
    const start = performance.now();
    for (let i = 0; i < N; i++) parseClientFrame(raw);
    line.push(`${kind} ${(((performance.now() - start) * 1e6) / N).toFixed(0)} ns`);
  }
  console.log(`round ${round}: ${line.join(", ")}`);
}
