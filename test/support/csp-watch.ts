// Every page the browser tests open runs under the page's real
// Content-Security-Policy (src/web/public/_headers), and any violation fails
// the test that caused it: a `securitypolicyviolation` event or Chromium's
// "Refused to ..." console error is recorded per page, and an afterEach hook
// (registered by importing this module) throws if any was recorded.

import type { Page } from "playwright-core";
import { afterEach } from "vitest";

const seen: string[] = [];

/** Starts recording the CSP violations of `page`. */
export function watchCsp(page: Page): void {
  void page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(
        `CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`,
      );
    });
  });
  page.on("console", (message) => {
    const text = message.text();
    if (/CSP violation|Content Security Policy/i.test(text)) seen.push(`${page.url()}: ${text}`);
  });
}

/** The violations recorded since the last call, forgotten (for a test that causes one on purpose). */
export function takeCspViolations(): string[] {
  return seen.splice(0, seen.length);
}

afterEach(() => {
  const violations = takeCspViolations();
  if (violations.length > 0) throw new Error(`the page broke its Content-Security-Policy:\n${violations.join("\n")}`);
});
