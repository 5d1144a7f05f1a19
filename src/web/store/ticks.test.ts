import { describe, expect, it } from "vitest";
import type { Group, Message } from "../../shared/protocol";
import { type ReceiptBook, recipientsOf, tickStatus } from "./ticks";

const ME = "me00000000000000";
const A = "aaaaaaaaaaaaaaaa";
const B = "bbbbbbbbbbbbbbbb";
const C = "cccccccccccccccc";
const group: Group = {
  id: "gggggggggggggggg",
  name: "g",
  members: [
    { id: ME, role: "admin" },
    { id: A, role: "member" },
    { id: B, role: "member" },
  ],
};
const inGroup: Message = { id: "m1", chat: `g:${group.id}`, from: ME, text: "hi", ts: 1, seq: 1 };
const direct: Message = { id: "m2", chat: `u:${A}`, from: ME, text: "hi", ts: 1, seq: 2 };

function book(entries: Record<string, { delivered?: number; read?: number }>, id = "m1"): ReceiptBook {
  return new Map([[id, new Map(Object.entries(entries))]]);
}

describe("ticks", () => {
  it("one-to-one: sent, then delivered, then read (read implies delivered)", () => {
    const to = recipientsOf(direct, ME, undefined, new Set());
    expect(to).toEqual([A]);
    expect(tickStatus(direct, to, new Map())).toBe("sent");
    expect(tickStatus(direct, to, book({ [A]: { delivered: 1 } }, "m2"))).toBe("delivered");
    expect(tickStatus(direct, to, book({ [A]: { read: 2 } }, "m2"))).toBe("read");
  });

  it("group: two ticks only when every member has it, coloured only when every member read it", () => {
    const to = recipientsOf(inGroup, ME, group, new Set());
    expect(to).toEqual([A, B]);
    expect(tickStatus(inGroup, to, book({ [A]: { delivered: 1 } }))).toBe("sent");
    expect(tickStatus(inGroup, to, book({ [A]: { read: 1 }, [B]: { delivered: 1 } }))).toBe("delivered");
    expect(tickStatus(inGroup, to, book({ [A]: { read: 1 }, [B]: { read: 1 } }))).toBe("read");
  });

  it("group: members added after the message do not hold its ticks back", () => {
    const later = { ...group, members: [...group.members, { id: C, role: "member" as const }] };
    const to = recipientsOf(inGroup, ME, later, new Set([C]));
    expect(to).toEqual([A, B]);
    expect(tickStatus(inGroup, to, book({ [A]: { read: 1 }, [B]: { read: 1 } }))).toBe("read");
  });
});
