// What a page was waiting for when a browser test failed: its requests still
// without an answer (and for how long), its last console lines, and the last
// lines of the server's own log. A locator timeout alone says only that
// something did not show; this says whether the server was asked, and answered.

import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { inject, onTestFailed } from "vitest";

const CONSOLE_LINES = 20;
const SERVER_LINES = 60;

/** Records `page`'s requests and console; prints them if the running test fails. */
export function watchPage(page: Page, who: string): void {
  const pending = new Map<object, string>();
  const lines: string[] = [];
  page.on("request", (req) => pending.set(req, `${req.method()} ${req.url()} (from ${clock()})`));
  page.on("requestfinished", (req) => pending.delete(req));
  page.on("requestfailed", (req) => {
    pending.delete(req);
    lines.push(`${clock()} request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
  });
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) lines.push(`${clock()} navigated to ${frame.url()}`);
  });
  page.on("console", (message) => {
    lines.push(`${clock()} ${message.type()}: ${message.text().slice(0, 300)}`);
    if (lines.length > CONSOLE_LINES) lines.shift();
  });
  onTestFailed(() => {
    const report = [
      `--- ${who} at ${clock()}: ${page.isClosed() ? "closed" : page.url()}`,
      `requests without an answer: ${pending.size === 0 ? "none" : ""}`,
      ...[...pending.values()].map((line) => `  ${line}`),
      "last console lines:",
      ...lines.map((line) => `  ${line}`),
    ];
    process.stderr.write(`${report.join("\n")}\n`);
  });
}

/** For a failed test: the tail of the server's log (browser-setup.ts writes it). */
export function printServerLog(): void {
  {
    const file = inject("serverLog");
    if (!file) return;
    let tail = "";
    try {
      tail = readFileSync(file, "utf8").split("\n").slice(-SERVER_LINES).join("\n");
    } catch (err) {
      tail = `(no server log: ${err})`;
    }
    process.stderr.write(`--- the server's last log lines at ${clock()} (${file}):\n${tail}\n`);
  }
}

function clock(): string {
  return new Date().toISOString().slice(11, 23);
}
