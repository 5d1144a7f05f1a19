// Four kinds of tests, one command:
// - workers: inside the real Workers runtime (workerd via Miniflare), with
//   real Durable Objects, D1 and R2: the files beside the code, src/**/*.test.ts;
// - e2e: Node clients over real TCP sockets against `wrangler dev`: test/e2e,
//   and the benchmark's smoke run (test/bench);
// - deploy: the production config and bundle (`wrangler deploy --dry-run`): test/deploy;
// - browser: the web page in Chromium (playwright-core) against `wrangler dev`:
//   test/browser. The Chromium comes with `npm install` (@sparticuz/chromium,
//   test/support/chromium.ts), or CHROMIUM_PATH names one; it always runs, and
//   a browser that cannot start fails it.
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

/** The client package (src/client) from its source in the tests, not its build (see its package.json). */
const clientSource = { ssr: { resolve: { conditions: ["edge-chat-source", ...defaultServerConditions] } } };

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    test: {
      // The JSON line per request and per socket (docs/operations.md) would drown the output.
      onConsoleLog: (log: string) => !/^\{"event":"(request|socket_open)"/.test(log),
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  JWT_SECRET: "test-secret-test-secret-test-secret-0123456789",
                  SOCKET_TIMEOUT_MS: "2000",
                  FRAME_RATE: "50,100",
                  // One copy per one-to-one chat (docs/one-copy-per-chat.md): as wrangler.toml says,
                  // unless the run asks otherwise, e.g. `HOSTED_GUEST_SEND=on npx vitest run --project workers`.
                  ...(process.env.HOSTED_GUEST_SEND ? { HOSTED_GUEST_SEND: process.env.HOSTED_GUEST_SEND } : {}),
                },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["src/**/*.test.ts"],
            setupFiles: ["src/test/apply-migrations.ts"],
          },
        },
        {
          // The production configuration and bundle, in Node: no account needed.
          ...clientSource,
          test: {
            name: "deploy",
            include: ["test/deploy/**/*.test.ts"],
            environment: "node",
            testTimeout: 60_000,
            hookTimeout: 120_000,
          },
        },
        // Before e2e: global setups run in this order, so the page is built
        // (into dist/web) before any server that serves it has started.
        {
          ...clientSource,
          test: {
            name: "browser",
            include: ["test/browser/**/*.test.ts"],
            environment: "node",
            globalSetup: ["test/support/browser-setup.ts"],
            testTimeout: 120_000,
            hookTimeout: 180_000,
            fileParallelism: false,
          },
        },
        {
          ...clientSource,
          test: {
            name: "e2e",
            include: ["test/e2e/**/*.test.ts", "test/bench/**/*.test.ts"],
            environment: "node",
            globalSetup: ["test/support/global-setup.ts"],
            // Every answer checked against the published schemas (issue 19).
            setupFiles: ["test/support/answer-check.ts"],
            testTimeout: 60_000,
            hookTimeout: 120_000,
            fileParallelism: false,
          },
        },
      ],
    },
  };
});
