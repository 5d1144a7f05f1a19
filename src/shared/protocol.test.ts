import { describe, expect, it } from "vitest";
import { AppError } from "./errors";
import { parseChat, parseClientFrame, parsePatchMeBody, parseRegisterBody } from "./protocol";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? err.code : "not-an-AppError";
  }
  return undefined;
}

describe("client frames", () => {
  it("accepts every valid frame and keeps only known fields", () => {
    const chat = "u:0123456789abcdef";
    const id = `0000000000000${"0123456789abcdef"}`;
    expect(parseClientFrame(JSON.stringify({ type: "send", clientId: "c-1", chat, text: "hi", extra: 1 }))).toEqual({
      type: "send",
      clientId: "c-1",
      chat,
      text: "hi",
    });
    expect(parseClientFrame(JSON.stringify({ type: "received", ids: [id] }))).toEqual({ type: "received", ids: [id] });
    expect(parseClientFrame(JSON.stringify({ type: "read", chat, upTo: id }))).toEqual({
      type: "read",
      chat,
      upTo: id,
    });
    expect(parseClientFrame(JSON.stringify({ type: "sync", after: 0 }))).toEqual({ type: "sync", after: 0 });
    expect(parseClientFrame(JSON.stringify({ type: "typing", chat: "g:0123456789abcdef" }))).toEqual({
      type: "typing",
      chat: "g:0123456789abcdef",
    });
    expect(parseClientFrame(JSON.stringify({ type: "subscribe", users: ["0123456789abcdef"] }))).toEqual({
      type: "subscribe",
      users: ["0123456789abcdef"],
    });
  });

  it.each([
    ["", "bad_frame"],
    ["null", "bad_frame"],
    ['"text"', "bad_frame"],
    ['{"type":"sync","after":1.5}', "invalid_field"],
    ['{"type":"sync","after":1e300}', "invalid_field"],
    ['{"type":"sync","after":"1"}', "invalid_field"],
    ['{"type":"send","clientId":"has space","chat":"u:0123456789abcdef","text":"x"}', "invalid_field"],
    [`{"type":"send","clientId":"${"c".repeat(65)}","chat":"u:0123456789abcdef","text":"x"}`, "invalid_field"],
    ['{"type":"received","ids":[]}', "invalid_field"],
    ['{"type":"subscribe","users":"abc"}', "invalid_field"],
    ['{"type":"read","chat":"x:0123456789abcdef","upTo":"0"}', "invalid_chat"],
    ['{"type":{"nested":true}}', "unknown_type"],
  ])("refuses %s with %s", (raw, code) => {
    expect(codeOf(() => parseClientFrame(raw))).toBe(code);
  });
});

describe("chat ids", () => {
  it("parses u: and g: ids and nothing else", () => {
    expect(parseChat("u:0123456789abcdef")).toEqual({ kind: "user", id: "0123456789abcdef" });
    expect(parseChat("g:0123456789abcdef")).toEqual({ kind: "group", id: "0123456789abcdef" });
    for (const bad of ["u:", "u:ABCDEFGHJKMNPQRS", "g:0123456789abcde", "0123456789abcdef", 7, null]) {
      expect(codeOf(() => parseChat(bad))).toBe("invalid_chat");
    }
  });
});

describe("HTTP bodies", () => {
  it("normalizes usernames to lower case and checks every field", () => {
    expect(parseRegisterBody({ username: "Alice.B_1", password: "a long password" })).toEqual({
      username: "alice.b_1",
      password: "a long password",
    });
    expect(codeOf(() => parseRegisterBody({ username: "alice", password: 12345678 }))).toBe("invalid_password");
    expect(codeOf(() => parsePatchMeBody({ lastSeenVisibility: "friends" }))).toBe("invalid_field");
    expect(codeOf(() => parsePatchMeBody({ about: "a".repeat(141) }))).toBe("invalid_field");
    expect(parsePatchMeBody({ about: "", displayName: "Al" })).toEqual({ about: "", displayName: "Al" });
  });
});
