// The capacity plan's numbers (docs/capacity.md quotes this output).
// Usage: npm run capacity   (plain Node, no network; edit scripts/capacity/inputs.mjs and rerun)

import * as inputs from "./capacity/inputs.mjs";
import { groupMessage, plan } from "./capacity/model.mjs";

const { SPEC, ASSUME, MEASURED, LIMIT, TWO_COPIES } = inputs;
const DAY = 86_400;

const num = (x) => {
  for (const [unit, size] of [
    ["T", 1e12],
    ["B", 1e9],
    ["M", 1e6],
    ["k", 1e3],
  ]) {
    if (Math.abs(x) >= size) return `${(x / size).toFixed(x / size >= 100 ? 0 : 1)}${unit}`;
  }
  return x >= 10 || Number.isInteger(x) ? x.toFixed(0) : x.toFixed(2);
};
const bytes = (x) => {
  for (const [unit, size] of [
    ["PB", 1e15],
    ["TB", 1e12],
    ["GB", 1e9],
    ["MB", 1e6],
    ["kB", 1e3],
  ]) {
    if (x >= size) return `${(x / size).toFixed(x / size >= 100 ? 0 : 1)} ${unit}`;
  }
  return `${Math.round(x)} B`;
};
const usd = (x) => `$${Math.round(x).toLocaleString("en-US")}`;
const cents = (x) => `$${x.toFixed(2)}`;
const line = (label, value) => console.log(`  ${label.padEnd(58)} ${value}`);

const base = plan(inputs);
const { t, r, w, s, acc, b } = base;

console.log("Traffic");
line("messages per second, average / peak", `${num(t.perSecond)} / ${num(t.peakPerSecond)}`);
line(`messages per second at an event peak (x${ASSUME.eventFactor})`, num(t.perSecond * ASSUME.eventFactor));
line(
  `stored copies per message (1:1 ${ASSUME.directCopies}, a group message one)`,
  (t.stored / SPEC.messagesPerDay).toFixed(2),
);
line("stored copies per second at peak", num((t.stored / 86_400) * ASSUME.peakFactor));

console.log("Objects");
line("user objects (one per account, made on first use)", num(SPEC.users));
line("group objects", num(SPEC.users * ASSUME.groupsPerUser));
line("devices online at peak (one socket each)", num(r.devicesOnlinePeak));
line("objects awake at peak (at most one per online user)", num(r.devicesOnlinePeak / ASSUME.devicesPerActiveUser));

console.log("Requests at peak");
line("Worker requests per second (HTTP, upgrades, avatar misses)", num((r.workerRequests / DAY) * ASSUME.peakFactor));
line("incoming frames per second (send, received, read)", num((r.frames / DAY) * ASSUME.peakFactor));
line("calls into objects per second (deliveries, receipts, HTTP)", num((r.rpcs / DAY) * ASSUME.peakFactor));
line("heartbeats per second (answered by the runtime)", num(r.pingsPerSecondPeak));
line(
  "one user object: its own messages per second, average",
  (SPEC.messagesPerDay / SPEC.dailyActive / DAY).toFixed(4),
);
line(`a ${LIMIT.groupMembersMax}-member group at 1 message/s: deliveries/s`, num(LIMIT.groupMembersMax));

console.log("Storage");
line("the spec's raw text per day / over the years", `${bytes(s.seedBytesPerDay)} / ${bytes(s.seedBytesTotal)}`);
line("stored rows per day (copies x measured bytes per row)", bytes(s.bytesPerDay));
line(`all mailboxes after ${SPEC.years} years if nothing were archived`, bytes(s.withoutArchive));
line(`kept in objects: the last ${ASSUME.hotDays} days`, bytes(s.hot));
line("per active user per day", bytes(s.perActiveUserDay));
line(`average mailbox after ${SPEC.years} years, unarchived (limit 10 GB)`, bytes(s.averageObjectAfterYears));
line(`heaviest 1 in 1,000 (x${ASSUME.heavyUserFactor}): years to 10 GB unarchived`, s.heavyYearsToLimit.toFixed(1));
line(`heaviest 1 in 1,000: size of its ${ASSUME.hotDays}-day window`, bytes(s.heavyHot));
line(`mailbox writes per second that fill 10 GB in ${ASSUME.hotDays} days`, s.limitCopiesPerSecond.toFixed(1));
line("R2 archive per day (compressed pages)", bytes(s.archiveBytesPerDay));
line(`R2 archive after ${SPEC.years} years`, bytes(s.archiveTotal));

console.log("Accounts in D1");
line("accounts and sessions (measured bytes per account)", bytes(acc.bytes));
line(`shards needed at ${ASSUME.shardFill * 100}% of 10 GB / chosen (a power of two)`, `${acc.needed} / ${acc.shards}`);
line("accounts per shard / bytes per shard", `${num(acc.rowsPerShard)} / ${bytes(acc.bytesPerShard)}`);
line("session checks per second at peak: all / per shard", `${num(acc.peakQueries)} / ${num(acc.peakQueriesPerShard)}`);
line("share of D1's 1 TB per-account storage", `${Math.round(acc.accountLimitShare * 100)}%`);

console.log("SQLite rows written in objects");
line("per message, on average (measured rows, assumed mix)", w.writtenPerMessage.toFixed(1));
line("per day", num(w.written));

console.log(`Monthly cost (USD, Workers Paid, storage at year ${SPEC.years})`);
for (const [label, dollars] of Object.entries(b.lines)) line(label, usd(dollars));
line("total", usd(b.total));
line(
  "per daily active user / per million messages",
  `${cents(b.total / SPEC.dailyActive)} / ${cents(b.total / ((SPEC.messagesPerDay * ASSUME.daysPerMonth) / 1e6))}`,
);

console.log("Group messages: one message to a group of N");
console.log(
  `  ${"N".padStart(5)} ${"copies".padStart(7)} ${"bytes".padStart(9)} ${"rows written".padStart(13)} ${"requests".padStart(9)} ${"$ per million messages".padStart(23)}`,
);
for (const size of [2, 10, 20, 100, LIMIT.groupMembersMax]) {
  const g = groupMessage(size, inputs);
  console.log(
    `  ${String(size).padStart(5)} ${String(g.copies).padStart(7)} ${bytes(g.bytes).padStart(9)} ${g.rowsWritten.toFixed(0).padStart(13)} ${g.requests.toFixed(0).padStart(9)} ${usd(g.dollarsPerMillion).padStart(23)}`,
  );
}
const noGroups = plan({ ...inputs, ASSUME: { ...ASSUME, groupShare: 0 } });
line("share of the monthly bill due to group messages", `${Math.round((1 - noGroups.b.total / b.total) * 100)}%`);

console.log("What moves the bill (monthly total)");
/**
 * One-to-one messages one at a time (not in a burst): each also writes its chat row on both sides
 * (the sender's with its safety-net alarm, which is one more) — an estimate from the code, not measured.
 */
const LONE = { rowsWrittenPerDirectMessage: MEASURED.rowsWrittenPerDirectMessage + 3 };
/** Groups whose messages come far apart (1.5 s in the test), measured: 5.8 rows for 10 members, 8.8 for 100. */
const QUIET_GROUPS = { rowsWrittenPerGroupMessage: 5.47, rowsWrittenPerGroupMember: 0.033 };
/**
 * Quiet groups deployed, where members' objects leave memory between messages: every message wakes
 * every member, which writes a batch every 10 wakes and the group's cursor for it (about 0.3 rows a
 * member in all; the seq reservation a wake wrote before, 1 row, is gone: user/seq-hold.ts). An
 * estimate from the code and from a traced local run (wrangler dev evicts such objects too).
 */
const EVICTED_MEMBERS = { rowsWrittenPerGroupMessage: 5.47, rowsWrittenPerGroupMember: 0.3 };
const scenarios = [
  ["as planned", {}, {}],
  ["two copies per one-to-one chat (HOSTED_GUEST_SEND off)", TWO_COPIES.assume, TWO_COPIES.measured],
  ["no groups", { groupShare: 0 }, {}],
  ["half of all messages to groups", { groupShare: 0.5 }, {}],
  ["groups of 50 on average", { groupSize: 50 }, {}],
  ["devices acknowledge 5 messages per frame", { receivedFramesPerCopy: 0.2 }, {}],
  ["presence of half the online users watched", { watchedShare: 0.5 }, {}],
  ["one-to-one messages one at a time (estimate)", {}, LONE],
  ["group messages far apart (measured)", {}, QUIET_GROUPS],
  ["that, members evicted between messages (estimate)", {}, EVICTED_MEMBERS],
  ["presence swept at every deadline (before 2026-12-06)", { watchedShare: 1, rowsPerSweep: 2 }, {}],
];
for (const [label, assume, measured] of scenarios) {
  const p = plan({ ...inputs, ASSUME: { ...ASSUME, ...assume }, MEASURED: { ...MEASURED, ...measured } });
  line(
    label,
    `${usd(p.b.total)}  (rows written ${Math.round((p.b.lines["Objects: SQLite rows written"] / p.b.total) * 100)}%)`,
  );
}
console.log(`Measured inputs: ${JSON.stringify(MEASURED)}`);
