// CI's proof that production deploys: `wrangler deploy --dry-run --env
// production --outdir` builds the bundle with the production bindings and no
// account. (test/e2e/production-env.test.ts runs that environment locally.)

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WRANGLER = path.join(ROOT, "node_modules/.bin/wrangler");
const outdir = mkdtempSync(path.join(tmpdir(), "edge-chat-bundle-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("production bundle", () => {
  it("is built by wrangler deploy --dry-run --env production", () => {
    mkdirSync(path.join(ROOT, "dist/web"), { recursive: true }); // the assets directory must exist
    const run = spawnSync(WRANGLER, ["deploy", "--dry-run", "--env", "production", "--outdir", outdir], {
      cwd: ROOT,
      env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
      encoding: "utf8",
    });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, output).toBe(0);
    expect(output).not.toContain("WARNING");

    const bundle = path.join(outdir, "index.js");
    expect(statSync(bundle).size).toBeGreaterThan(10_000);
    const code = readFileSync(bundle, "utf8");
    for (const name of ["UserObject", "ThrottleObject"])
      expect(code).toMatch(new RegExp(`export \\{[^}]*\\b${name}\\b`));

    // The bindings wrangler would upload: production's own, and no secret among them.
    expect(output).toContain('env.ENVIRONMENT ("production")');
    expect(output).toContain("env.USERS (UserObject)");
    expect(output).toMatch(/env\.DB_0 \(edge-chat-production\)/);
    for (const n of [1, 2, 3]) expect(output).toMatch(new RegExp(`env\\.DB_${n} \\(edge-chat-production-${n}\\)`));
    expect(output).not.toContain("JWT_SECRET");
  });
});
