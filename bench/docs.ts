// Puts a run's figures into docs/benchmarks.md, between two markers, so the
// page keeps its prose and always shows the latest measured run.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Report } from "./report";

const BEGIN = "<!-- bench:begin (written by npm run bench -- --write-docs) -->";
const END = "<!-- bench:end -->";

export function updateDocs(file: string, report: Report, table: string): void {
  const m = report.machine;
  const block = [
    BEGIN,
    "",
    `Measured ${report.startedAt.slice(0, 16).replace("T", " ")} UTC with:`,
    "",
    "```",
    report.command,
    "```",
    "",
    `- machine: ${m.nproc} cores (\`nproc\`), ${m.cpu}, memory ${m.memory} (\`free -h\`), ${m.os}`,
    `- load average when the run started: ${m.loadavg.join(", ")} (other work was running on the machine)`,
    `- server: ${report.runtime}; Node ${m.node}; wrangler ${m.wrangler}`,
    `- ${report.repeats} repeat(s) per scenario and target; each figure is the median of the repeats (counts of lost/duplicated: the worst)`,
    `- run time ${report.durationS} s`,
    "",
    table,
    "",
    END,
  ].join("\n");
  const text = existsSync(file) ? readFileSync(file, "utf8") : `# Benchmarks\n\n${BEGIN}\n${END}\n`;
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  const next =
    start >= 0 && end > start ? text.slice(0, start) + block + text.slice(end + END.length) : `${text}\n${block}\n`;
  writeFileSync(file, next);
}
