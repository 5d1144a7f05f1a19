// One set of input rules (issue 21, row 8): the rules themselves. Their use
// in every body and frame is tested in workers/input-rules.test.ts.

import { describe, expect, it } from "vitest";
import { BAD_NAMES } from "../test/bad-names";
import { AppError } from "./errors";
import { checkMessageText, checkName, checkNewPassword, checkUsername, utf8Length } from "./text-rules";

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    return err instanceof AppError ? err.code : "not an AppError";
  }
}

describe("the rules", () => {
  it("names: one line, no bidi controls, valid Unicode, something visible", () => {
    for (const bad of BAD_NAMES) expect(codeOf(() => checkName(bad, "name", 1, 100))).toBe("invalid_field");
    expect(checkName("  Ünïcödé 😀 نص  ", "name", 1, 100)).toBe("Ünïcödé 😀 نص");
    expect(checkName("", "about", 0, 140)).toBe("");
  });

  it("message text: anything but NUL and lone surrogates", () => {
    expect(checkMessageText("two\nlines\tand 😀")).toBe("two\nlines\tand 😀");
    expect(codeOf(() => checkMessageText("nul\u0000"))).toBe("invalid_field");
    expect(codeOf(() => checkMessageText("half \uDE00 a pair"))).toBe("invalid_field");
  });

  it("passwords after NIST 800-63B; usernames with a letter or digit", () => {
    for (const [password, username] of [
      ["short", "someone"],
      ["        ", "someone"],
      ["Someone1", "someone1"],
      ["password1", "someone"],
      ["QWERTYUIOP", "someone"],
    ]) {
      expect(codeOf(() => checkNewPassword(password as string, username as string))).toBe("invalid_password");
    }
    expect(checkNewPassword("correct horse battery", "someone")).toBe("correct horse battery");
    for (const bad of ["...", "___", "._."]) expect(codeOf(() => checkUsername(bad))).toBe("invalid_username");
    expect(checkUsername("a.b")).toBe("a.b");
  });

  it("counts UTF-8 bytes as TextEncoder does", () => {
    for (const text of ["", "abc", "é", "€", "😀", "a\uD800b", "\uDC00", "€".repeat(1000)]) {
      expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
    }
  });
});
