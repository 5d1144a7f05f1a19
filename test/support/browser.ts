// Chromium driven by playwright-core: the one that `npm install` brings
// (@sparticuz/chromium, see chromium.ts), or CHROMIUM_PATH's. A test tool's
// own browser download does not work here. Playwright gives every launch a
// fresh temporary profile (its --user-data-dir), and every context its own
// cookies and storage, like two separate people.

import { type Browser, chromium } from "playwright-core";
import { afterAll, afterEach, beforeAll } from "vitest";
import { browserBinary } from "./chromium";
import { reportFailedPages } from "./page-watch";

const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // A fake microphone that needs no permission prompt: voice notes (test/browser/media.test.ts).
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
];

export async function launchBrowser(): Promise<Browser> {
  const { executablePath, env } = await browserBinary();
  return chromium.launch({ executablePath, headless: true, args: FLAGS, env: { ...process.env, ...env } });
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
  // A file that closes its pages in its own afterEach (which runs before this one) reports first.
  afterEach((context) => reportFailedPages(context));
  return () => {
    if (!browser) throw new Error("the browser is not launched yet (use it inside a test)");
    return browser;
  };
}

/** A phone-sized window. */
export const PHONE = { viewport: { width: 390, height: 780 }, deviceScaleFactor: 1 };
