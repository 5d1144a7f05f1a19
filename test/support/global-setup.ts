// One local server for all end-to-end test files; its URL reaches the tests
// through `inject("baseUrl")`.

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
}

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}
