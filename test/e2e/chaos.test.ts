// The crash audit: a send storm among users and groups, the runtime killed
// with SIGKILL five times, then every mailbox checked: each acknowledged
// message exactly once at every member, groups in one order. A short run here; `npm run chaos` runs a longer one.

import { describe, expect, it } from "vitest";
import { runStorm } from "../chaos/storm";

const FULL = process.env.CHAOS_FULL === "1";

describe("chaos", () => {
  it("loses and duplicates nothing answered `sent` across five SIGKILLs", async () => {
    const report = await runStorm(
      FULL
        ? { users: 20, perUser: 150, kills: 8, gapMs: 20, groups: 4, groupSize: 8 }
        : { users: 6, perUser: 40, kills: 5, gapMs: 25, groups: 2, groupSize: 4 },
      (line) => console.log(line),
    );
    console.log(
      `chaos: sent ${report.sent}, acknowledged ${report.acknowledged}, lost ${report.lost}, duplicated ${report.duplicated}, kills ${report.kills}`,
    );
    if (report.problems.length) console.log(report.problems.join("\n"));
    expect(report.kills).toBeGreaterThanOrEqual(5);
    expect(report.acknowledged).toBe(report.sent);
    expect(report.lost).toBe(0);
    expect(report.duplicated).toBe(0);
    expect(report.problems).toEqual([]);
  }, 600_000);
});
