// What a page was showing and waiting for when a browser test failed: its
// roles and names as a screen reader meets them, its requests still without an answer (and since when), its
// last console lines, and the last lines of the server's own log. A locator
// timeout alone says only that something did not show; this says whether the
// server was asked, whether it answered, and what the person saw instead.

import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { inject, type TestContext } from "vitest";

const CONSOLE_LINES = 20;
const SERVER_LINES = 60;
const TEXT_CHARS = 3000;

interface Watched {
  page: Page;
  who: string;
  pending: Map<object, string>;
  lines: string[];
}

/** The pages of the running test file, until a report or the end of their test. */
const watched = new Set<Watched>();

/** Records `page`'s requests and console lines, for `reportFailedPages`. */
export function watchPage(page: Page, who: string): void {
  const entry: Watched = { page, who, pending: new Map(), lines: [] };
  watched.add(entry);
  const note = (line: string) => {
    entry.lines.push(`${clock()} ${line}`);
    if (entry.lines.length > CONSOLE_LINES) entry.lines.shift();
  };
  page.on("request", (req) => entry.pending.set(req, `${req.method()} ${req.url()} (from ${clock()})`));
  page.on("requestfinished", (req) => entry.pending.delete(req));
  page.on("requestfailed", (req) => {
    entry.pending.delete(req);
    note(`request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
  });
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) note(`navigated to ${frame.url()}`);
  });
  page.on("console", (message) => note(`${message.type()}: ${message.text().slice(0, 300)}`));
}

/**
 * In an afterEach, before the test's pages are closed: if the test failed,
 * prints what each of its open pages showed and waited for, then the tail of
 * the server's log. The pages are forgotten either way.
 */
export async function reportFailedPages(context: TestContext): Promise<void> {
  const entries = [...watched];
  watched.clear();
  if (context.task.result?.state !== "fail") return;
  const report: string[] = [];
  for (const { page, who, pending, lines } of entries) {
    if (page.isClosed()) continue;
    const text = await page
      .locator("body")
      .ariaSnapshot({ timeout: 2_000 })
      .catch((err: unknown) => `(no snapshot: ${err})`);
    report.push(
      `--- ${who} at ${clock()}: ${page.url()}`,
      `what the page shows (roles and names):\n${text.slice(0, TEXT_CHARS)}`,
      `requests without an answer:${pending.size === 0 ? " none" : ""}`,
      ...[...pending.values()].map((line) => `  ${line}`),
      "last console lines and navigations:",
      ...lines.map((line) => `  ${line}`),
    );
  }
  report.push(`--- the server's last log lines at ${clock()}:`, serverLogTail());
  process.stderr.write(`${report.join("\n")}\n`);
}

function serverLogTail(): string {
  const file = inject("serverLog");
  if (!file) return "(no server log)";
  try {
    return readFileSync(file, "utf8").split("\n").slice(-SERVER_LINES).join("\n");
  } catch (err) {
    return `(no server log: ${err})`;
  }
}

function clock(): string {
  return new Date().toISOString().slice(11, 23);
}
