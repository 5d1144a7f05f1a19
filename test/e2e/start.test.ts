// `npm start` as a newcomer runs it (README): it says where to go and nothing
// alarming, takes a free inspector port or the one asked for, and every signal
// that stops it stops everything it started, with the port free after.
// Three at once on one machine: they must not collide (the inspector's 9229).

import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { descendants } from "../support/processes";
import { freePort, newStateDir } from "../support/server";
import { waitFor } from "../support/wait";

const ROOT = path.resolve(import.meta.dirname, "../..");

interface Started {
  npm: ChildProcess;
  port: number;
  output: () => string;
  stateDir: string;
}

const started: Started[] = [];

/**
 * `npm start` on a free port. A port found free can be taken before wrangler
 * binds it (other servers of the suite start beside it, and each wrangler
 * opens ports of its own): then it starts again on another one.
 */
async function npmStart(extra: string[] = []): Promise<Started> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await npmStartOnce(extra);
    } catch (err) {
      if (attempt >= 3 || !String(err).includes("Address already in use")) throw err;
    }
  }
}

async function npmStartOnce(extra: string[]): Promise<Started> {
  const port = await freePort();
  const stateDir = newStateDir("edge-chat-start-");
  // WEB_BUILD=0: the page in dist/web was built by the test setup; rebuilding it
  // would pull it from under the other tests' servers.
  const npm = spawn("npm", ["start", "--", "--persist-to", stateDir, ...extra], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), WEB_BUILD: "0" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own group, so the clean-up below can reach what a failed test leaves
  });
  let output = "";
  npm.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  npm.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const run = { npm, port, output: () => output, stateDir };
  started.push(run);
  await waitFor(
    () => {
      if (npm.exitCode !== null) throw new Error(`npm start exited (${npm.exitCode}):\n${output}`);
      return output.includes(`running at http://localhost:${port}`);
    },
    `npm start to say it runs on ${port}`,
    120_000,
  );
  return run;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z "); // a zombie is gone
  } catch {
    return false;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

async function listening(port: number): Promise<boolean> {
  return !(await portFree(port));
}

async function stopsEverything(run: Started, signal: NodeJS.Signals): Promise<void> {
  const pid = run.npm.pid as number;
  const tree = descendants(pid);
  expect(tree.length).toBeGreaterThanOrEqual(3); // node start.mjs, wrangler, workerd at least
  process.kill(pid, signal); // npm alone, as a process manager does: not its group
  const stopped = await waitFor(
    async () => [pid, ...tree].every((p) => !alive(p)) && (await portFree(run.port)),
    `everything ${signal} should stop`,
    10_000,
  ).catch(() => false);
  expect([pid, ...tree].filter(alive), `still running after ${signal}`).toEqual([]);
  expect(stopped && (await portFree(run.port))).toBe(true);
}

afterAll(() => {
  for (const run of started) {
    try {
      if (run.npm.pid) process.kill(-run.npm.pid, "SIGKILL");
    } catch {
      // gone, as it should be
    }
    rmSync(run.stateDir, { recursive: true, force: true });
  }
});

describe("npm start", () => {
  it("says where to go, quietly; takes the inspector port asked for; SIGTERM, SIGINT and SIGHUP each stop it all", async () => {
    const inspector = await freePort();
    const [term, int, hup] = await Promise.all([
      npmStart(["--inspector-port", String(inspector)]),
      npmStart(),
      npmStart(),
    ]);
    expect(await listening(inspector)).toBe(true);

    const output = term.output();
    for (const noise of [/Error/, /ENOTFOUND/, /^\s+at /m, /telemetry/i, /update available/, /EBADENGINE/]) {
      expect(output).not.toMatch(noise);
    }
    expect(output.match(/0001_accounts\.sql/g)).toHaveLength(1); // the migrations, named once

    await stopsEverything(term, "SIGTERM");
    await stopsEverything(int, "SIGINT");
    await stopsEverything(hup, "SIGHUP");
  });
});
