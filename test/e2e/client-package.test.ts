// The client as others get it: `npm pack` of @edge-chat/client (its prepack
// builds dist/), installed from the tarball into a copy of examples/chat
// outside the repository, type-checked there as Node resolves modules, and
// run with `npm start` against the test server: two users say hello.

import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");
const work = mkdtempSync(path.join(tmpdir(), "edge-chat-package-"));
const app = path.join(work, "chat");

interface Run {
  code: number;
  stdout: string;
  output: string;
}

/** Runs a command to its end (never throws on a failure: the test reads the code and the output). */
function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env: { ...process.env, ...env }, timeout: 150_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, output: `${stdout}${stderr}` });
    });
  });
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the client package", () => {
  let tarball = "";

  it("packs with its build, declarations and README, and nothing of the sources", async () => {
    const packed = await run("npm", ["pack", "--json", "--pack-destination", work], path.join(ROOT, "src/client"));
    expect(packed.code, packed.output).toBe(0);
    const [info] = JSON.parse(packed.stdout) as {
      filename: string;
      files: { path: string }[];
    }[];
    if (!info) throw new Error(`no pack report:\n${packed.output}`);
    tarball = path.join(work, info.filename);
    const files = info.files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining(["package.json", "README.md", "dist/index.js", "dist/types/client/index.d.ts"]),
    );
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  }, 180_000);

  it("installs from the tarball, and its types check as Node resolves them (a wrong call fails)", async () => {
    cpSync(path.join(ROOT, "examples/chat"), app, { recursive: true });
    const installed = await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], app);
    expect(installed.code, installed.output).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(app, "package.json"), "utf8"));
    expect(manifest.dependencies["@edge-chat/client"]).toMatch(/^file:/);

    // One tsc run, as Node resolves modules (examples/chat/tsconfig.json): the
    // example, the README's example as it stands, and a wrong call, which
    // must be refused (the declarations are live, not `any`).
    const readme = readFileSync(path.join(ROOT, "src/client/README.md"), "utf8");
    const example = /## Twenty lines\s+```js\n([\s\S]*?)```/.exec(readme)?.[1];
    if (!example) throw new Error("no example in src/client/README.md");
    writeFileSync(path.join(app, "readme.mjs"), `// @ts-check\n${example}`);
    const wrong = [
      "// @ts-check",
      'import { Api, Connection } from "@edge-chat/client";',
      "new Api({ baseUrl: 8787 });",
      'new Connection({ baseUrl: "", token: "" }).on("mesage", () => {});',
    ];
    writeFileSync(path.join(app, "wrong.mjs"), `${wrong.join("\n")}\n`);
    const files = ["chat.mjs", "readme.mjs", "wrong.mjs"];
    writeFileSync(path.join(app, "tsconfig.check.json"), JSON.stringify({ extends: "./tsconfig.json", files }));
    const typeRoots = path.join(ROOT, "node_modules/@types");
    const checked = await run("node", [TSC, "-p", "tsconfig.check.json", "--typeRoots", typeRoots], app);
    const errors = checked.output.split("\n").filter((line) => /error TS/.test(line));
    expect(errors, checked.output).toEqual([
      expect.stringMatching(/^wrong\.mjs\(3,\d+\).*number.*string/),
      expect.stringMatching(/^wrong\.mjs\(4,\d+\).*"mesage"/),
    ]);
  }, 180_000);

  it("runs the example with npm start: two users say hello, and it exits", async () => {
    const chat = await run("npm", ["start"], app, { BASE_URL: inject("baseUrl") });
    expect(chat.code, chat.output).toBe(0);
    expect(chat.output).toContain("bob got: hello bob!");
    expect(chat.output).toContain("alice got: hi alice!");
  }, 120_000);
});
