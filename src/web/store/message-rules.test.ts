// What the message menu offers (issue 22 item 1): edit only one's own message
// within the edit window, delete for everyone one's own within the delete
// window (a group admin any message), no reply, edit or delete for everyone
// on a deleted or system message, and nothing that writes once one is no
// longer a member. The same windows as the server's (shared/limits.ts).

import { describe, expect, it } from "vitest";
import { DELETE_WINDOW_MS, EDIT_WINDOW_MS } from "../../shared/limits";
import type { Group, Message } from "../../shared/protocol";
import { allowedOn } from "./message-rules";

const T = 1_000_000_000;
const mine: Message = { id: "m1", chat: "g:grp", from: "ann", text: "hi", ts: T, seq: 1 };
const theirs: Message = { ...mine, id: "m2", from: "ben" };
const group = (role: "admin" | "member"): Group => ({
  id: "grp",
  name: "g",
  members: [
    { id: "ann", role },
    { id: "ben", role: "member" },
  ],
});

describe("allowedOn", () => {
  it("edit: own messages, until the edit window is over", () => {
    expect(allowedOn(mine, "ann", undefined, true, T + EDIT_WINDOW_MS - 1).edit).toBe(true);
    expect(allowedOn(mine, "ann", undefined, true, T + EDIT_WINDOW_MS + 1).edit).toBe(false);
    expect(allowedOn(theirs, "ann", group("admin"), true, T).edit).toBe(false);
  });

  it("delete for everyone: own messages within the window; a group admin any message at any time", () => {
    expect(allowedOn(mine, "ann", undefined, true, T + DELETE_WINDOW_MS - 1).deleteForEveryone).toBe(true);
    expect(allowedOn(mine, "ann", undefined, true, T + DELETE_WINDOW_MS + 1).deleteForEveryone).toBe(false);
    expect(allowedOn(theirs, "ann", group("member"), true, T).deleteForEveryone).toBe(false);
    expect(allowedOn(theirs, "ann", group("admin"), true, T + DELETE_WINDOW_MS * 2).deleteForEveryone).toBe(true);
  });

  it("a deleted or system message offers no reply, edit or delete for everyone; a former member cannot write", () => {
    const deleted = { ...mine, text: "", deletedAt: T + 1 };
    expect(allowedOn(deleted, "ann", undefined, true, T + 2)).toEqual({
      reply: false,
      edit: false,
      deleteForEveryone: false,
      info: true,
      react: false,
      forward: false,
    });
    const system: Message = { ...mine, system: { event: "created", user: "ann" } };
    expect(allowedOn(system, "ann", group("admin"), true, T)).toEqual({
      reply: false,
      edit: false,
      deleteForEveryone: false,
      info: false,
      react: false,
      forward: false,
    });
    // A former member can still forward what it can read, but no longer react.
    expect(allowedOn(mine, "ann", group("member"), false, T)).toEqual({
      reply: false,
      edit: false,
      deleteForEveryone: false,
      info: true,
      react: false,
      forward: true,
    });
  });
});
