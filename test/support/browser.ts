// Debian's Chromium (/usr/bin/chromium) driven by playwright-core: a test
// tool's own browser download does not work here. Playwright gives every
// launch a fresh temporary profile (its --user-data-dir), and every context
// its own cookies and storage, like two separate people.

import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll } from "vitest";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function chromiumPresent(): boolean {
  return existsSync(CHROMIUM);
}

export async function launchBrowser(): Promise<Browser> {
  if (!chromiumPresent()) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium (see .ci/run)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/**
 * One Chromium for a test file: launched before its tests, closed after them.
 * Call inside the file's describe; the getter gives the running browser.
 */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error("the browser is not launched yet (use it inside a test)");
    return browser;
  };
}

/** A phone-sized window. */
export const PHONE = { viewport: { width: 390, height: 780 }, deviceScaleFactor: 1 };
