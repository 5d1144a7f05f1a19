// The schemas' answers to bad input: the codes and wording of the hand-written
// checkers they replaced (a missing field is named like a wrong one), unknown
// keys refused on bodies and dropped from frames, the frame's clientId kept.

import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { FrameError, parseClientFrame, parseCreateGroupBody, parseRegisterBody, parseSearchQuery } from "../protocol";

function errorOf(fn: () => unknown): { code: string; message: string; clientId?: string } | undefined {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return err instanceof FrameError
      ? { code: err.code, message: err.message, clientId: err.clientId }
      : { code: err.code, message: err.message };
  }
  return undefined;
}

const chat = "u:0123456789abcdef";
const frame = (value: unknown) => () => parseClientFrame(JSON.stringify(value));

describe("frames", () => {
  it("names the field and the reason, missing or wrong", () => {
    expect(errorOf(frame({ type: "sync" }))).toEqual({ code: "invalid_field", message: "after must be an integer" });
    expect(errorOf(frame({ type: "sync", after: -1 }))).toEqual({
      code: "invalid_field",
      message: "after must be at least 0",
    });
    expect(errorOf(frame({ type: "delete", clientId: "c", id: "0".repeat(29), for: "all" }))).toEqual({
      code: "invalid_field",
      message: "for must be one of everyone, me",
      clientId: "c",
    });
    expect(errorOf(frame({ type: "received", ids: ["nope"] }))).toEqual({
      code: "invalid_field",
      message: "ids must hold only valid ids",
    });
    // The count is checked before the ids.
    expect(errorOf(frame({ type: "subscribe", users: Array(501).fill("x") }))?.message).toBe(
      "users must have at most 500 entries",
    );
  });

  it("keeps its codes, and the clientId once it was readable", () => {
    expect(errorOf(frame({ type: "send", clientId: "c1", chat, text: "😀".repeat(4097) }))).toEqual({
      code: "text_too_long",
      message: "text must be at most 4096 characters",
      clientId: "c1",
    });
    expect(errorOf(frame({ type: "send", clientId: "c1", chat: "x:1", text: "hi" }))?.code).toBe("invalid_chat");
    expect(errorOf(frame({ type: "send", clientId: "c 1", chat, text: "hi" }))).toEqual({
      code: "invalid_field",
      message: "clientId has an invalid format",
    });
    expect(errorOf(frame({ type: "send", clientId: "c1", chat, text: "a\u0000b" }))).toMatchObject({
      code: "invalid_field",
      clientId: "c1",
    });
    expect(errorOf(frame({ type: "toString" }))?.code).toBe("unknown_type");
    expect(errorOf(frame([]))?.code).toBe("bad_frame");
  });

  it("drops unknown keys, __proto__ included", () => {
    const parsed = parseClientFrame(`{"type":"typing","chat":"${chat}","__proto__":{"x":1},"extra":2}`);
    expect(parsed).toEqual({ type: "typing", chat });
    expect(Object.keys(parsed)).toEqual(["type", "chat"]);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });
});

describe("bodies", () => {
  it("refuses unknown keys first, __proto__ and constructor included", () => {
    for (const key of ["__proto__", "constructor", "toString"]) {
      expect(errorOf(() => parseRegisterBody(JSON.parse(`{"username":"!","${key}":1}`)))).toEqual({
        code: "invalid_field",
        message: `${key} is not a field of this body`,
      });
    }
  });

  it("keeps the codes of usernames and passwords, missing ones too", () => {
    expect(errorOf(() => parseRegisterBody({ password: "a long password" }))?.code).toBe("invalid_username");
    expect(errorOf(() => parseRegisterBody({ username: "alice" }))?.code).toBe("invalid_password");
    expect(errorOf(() => parseRegisterBody({ username: "alice1234", password: "ALICE1234" }))).toEqual({
      code: "invalid_password",
      message: "password must not be the username",
    });
  });

  it("trims names, dedupes members and words", () => {
    expect(parseCreateGroupBody({ name: "  team ", members: ["0123456789abcdef", "0123456789abcdef"] })).toEqual({
      name: "team",
      members: ["0123456789abcdef"],
    });
    expect(parseCreateGroupBody({ name: "x" })).toEqual({ name: "x", members: [] });
    expect(parseSearchQuery("Hello, hello WORLD")).toEqual(["hello", "world"]);
    expect(errorOf(() => parseSearchQuery(undefined))).toEqual({ code: "invalid_field", message: "q is required" });
  });
});
