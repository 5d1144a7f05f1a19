import { describe, expect, it } from "vitest";
import { MESSAGE_ID_PATTERN, messageIdTime, nextMessageId, randomId } from "./ids";

describe("message ids", () => {
  it("sort in time order as plain strings, within and across milliseconds", () => {
    let clock = { ts: 0, seq: 0 };
    const ids: string[] = [];
    for (const now of [1000, 1000, 1000, 1001, 1001, 5000, 4000, 4000, 6000]) {
      const next = nextMessageId(now, clock, "abcdefghjkmnpqrs");
      clock = next.clock;
      ids.push(next.id);
    }
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(MESSAGE_ID_PATTERN);
    // A clock that stepped back (5000 -> 4000) does not make ids go backwards.
    expect(messageIdTime(ids[6] as string)).toBe(5000);
  });

  it("stay increasing when a millisecond overflows its sequence", () => {
    const a = nextMessageId(1000, { ts: 1000, seq: 36 ** 4 - 1 }, "abcdefghjkmnpqrs");
    expect(a.ts).toBe(1001);
    expect(a.clock.seq).toBe(0);
  });

  it("random ids are 16 base32 characters and differ", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => randomId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]{16}$/);
  });
});
