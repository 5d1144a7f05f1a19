// One local server for all end-to-end test files; its URL reaches the tests
// through `inject("baseUrl")`.

import type { TestProject } from "vitest/node";
import { type RunningServer, startServer } from "./server";

let server: RunningServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startServer({ vars: { SOCKET_TIMEOUT_MS: "3000" } });
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
