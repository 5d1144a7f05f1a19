// The browser project's global setup: unpack the browser (once, see
// chromium.ts), build the page into dist/web, then one local server (wrangler
// dev) that serves it and the API; its URL reaches the tests through
// `inject("baseUrl")`.

import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { browserBinary } from "./chromium";
import { newStateDir, type RunningServer, startServer } from "./server";

const ROOT = path.resolve(import.meta.dirname, "../..");
let server: RunningServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  await browserBinary(); // before the test files, which launch it in turn
  const build = spawnSync(path.join(ROOT, "node_modules/.bin/vite"), ["build", "--config", "src/web/vite.config.ts"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (build.status !== 0) throw new Error(`building the page failed:\n${build.stderr}${build.stdout}`);
  // The default 60 s device timeout: the page pings every 25 s, as in production.
  // Its output goes to a file that a failed test prints the end of (page-watch.ts).
  const serverLog = path.join(newStateDir("edge-chat-browser-log-"), "server.log");
  server = await startServer({ logFile: serverLog });
  project.provide("baseUrl", server.url);
  project.provide("serverLog", serverLog);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  // A fresh state directory made for this run alone; startServer leaves removal to its caller.
  if (server) rmSync(server.persistTo, { recursive: true, force: true });
}
