// One local server for all end-to-end test files; its URL reaches the tests
// through `inject("baseUrl")`.

import { rmSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { type RunningServer, startServer } from "./server";

let server: RunningServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  // The contract's 60 s socket timeout: a heavily loaded run (fuzz, chaos) must not see its
  // sockets swept. test/e2e/presence.test.ts runs its own server with a short timeout.
  server = await startServer();
  project.provide("baseUrl", server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  // A fresh state directory made for this run alone; startServer leaves removal to its caller.
  if (server) rmSync(server.persistTo, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    /** The browser project's server log (browser-setup.ts); the e2e project has none. */
    serverLog?: string;
  }
}
