// Day separators and grouping of consecutive bubbles.

import { describe, expect, it } from "vitest";
import type { Message } from "../../shared/protocol";
import { dayLabel, timeline } from "./timeline";

const now = new Date(2026, 11, 2, 15, 0).getTime();
const at = (days: number, hour: number, minute = 0) => new Date(2026, 11, 2 - days, hour, minute).getTime();
let n = 0;
const msg = (from: string, ts: number, extra: Partial<Message> = {}): Message => ({
  id: `m${String(++n).padStart(3, "0")}`,
  chat: "g:trip",
  from,
  text: "x",
  ts,
  seq: n,
  ...extra,
});

describe("timeline", () => {
  it("labels days Today, Yesterday, then dates", () => {
    expect(dayLabel(at(0, 9), now)).toBe("Today");
    expect(dayLabel(at(1, 23), now)).toBe("Yesterday");
    expect(dayLabel(at(3, 9), now)).not.toMatch(/Today|Yesterday/);
  });

  it("puts a separator before each day's first message and groups one sender's run within minutes", () => {
    const rows = timeline(
      [
        msg("ann", at(1, 9)),
        msg("ann", at(1, 9, 2)), // grouped
        msg("ann", at(0, 9)), // a new day: not grouped
        msg("ann", at(0, 9, 1)), // grouped
        msg("ben", at(0, 9, 2)), // another sender
        msg("ben", at(0, 9, 30)), // too long after
        msg("ben", at(0, 9, 31), { system: { event: "added", user: "eve", by: "ben" } }),
        msg("ben", at(0, 9, 32)), // after a system line
      ],
      now,
    );
    expect(rows.map((r) => (r.kind === "day" ? r.label : r.cont ? "+" : "m"))).toEqual([
      "Yesterday",
      "m",
      "+",
      "Today",
      "m",
      "+",
      "m",
      "m",
      "m",
      "m",
    ]);
  });
});
