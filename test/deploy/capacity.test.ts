// docs/capacity.md quotes the output of scripts/capacity.mjs; this keeps the
// quote and the model in step (change an input, rerun, paste the output).

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("capacity plan", () => {
  it("quotes exactly what scripts/capacity.mjs prints", () => {
    const run = spawnSync(process.execPath, ["scripts/capacity.mjs"], { cwd: ROOT, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const doc = readFileSync(path.join(ROOT, "docs/capacity.md"), "utf8");
    const quoted = doc.split("## The output")[1]?.split("```")[1];
    expect(quoted?.trim()).toBe(run.stdout.trim());
  });
});
