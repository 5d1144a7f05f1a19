// The search benchmark's report, as Markdown tables (pasted into
// docs/benchmarks.md, "Search").

import type { LatencyFigures } from "./latency";
import type { StorageFigures } from "./storage";
import { type VariantFigures, variantsTable } from "./variants";

export interface SearchResults {
  date: string;
  machine: string;
  node: string;
  messages: number;
  senders: number;
  runs: number;
  fill?: { seconds: number; perSecond: number };
  latency?: LatencyFigures[];
  storage: StorageFigures;
  variants: VariantFigures[];
}

const ms = (x: number) => x.toFixed(1);

export function report(r: SearchResults): string {
  const s = r.storage;
  const lines = [
    `Search benchmark, ${r.date}: ${r.messages} messages in one mailbox; ${r.runs} sequential queries each (limit 50).`,
    `Machine: ${r.machine}; Node ${r.node}; SQLite ${s.sqliteVersion} for the SQLite-only figures.`,
  ];
  if (r.fill)
    lines.push(
      `Fill: ${r.senders} senders, ${r.fill.seconds.toFixed(0)} s, ${r.fill.perSecond.toFixed(0)} messages/s end to end.`,
    );
  lines.push(
    "",
    "HTTP: GET /api/search as a client sees it. SQLite: the same query alone, on a copy of the mailbox.",
    "",
    "| query | matching messages | returned | HTTP p50 ms | HTTP p99 ms | HTTP max ms | SQLite p50 ms | SQLite p99 ms |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
  );
  const names = [...new Set([...(r.latency ?? []).map((l) => l.name), ...s.engine.map((e) => e.name)])];
  for (const name of names) {
    const l = r.latency?.find((x) => x.name === name);
    const e = s.engine.find((x) => x.name === name);
    const matching = l && !Number.isNaN(l.matching) ? String(l.matching) : "-";
    const http = l ? `${ms(l.p50)} | ${ms(l.p99)} | ${ms(l.max)}` : "- | - | -";
    const sqlite = e ? `${e.p50.toFixed(2)} | ${e.p99.toFixed(2)}` : "- | -";
    lines.push(`| ${name} | ${matching} | ${l?.returned ?? e?.returned ?? "-"} | ${http} | ${sqlite} |`);
  }
  lines.push(
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
    `Backfill (the index's schema step on a mailbox of ${s.messages}): ${(s.backfillMs / 1000).toFixed(2)} s.`,
    "",
    "Prefix index options, on the same mailbox (SQLite only):",
    "",
    variantsTable(r.variants),
  );
  return lines.join("\n");
}
