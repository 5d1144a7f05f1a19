// The one set of rules for what people type: every name, every line of text
// and every password that reaches the service passes here, from the HTTP
// bodies and from the frames (shared/protocol.ts calls these). Each rule
// throws an AppError naming the field; none strips or rewrites silently.
//
// - a name (display name, about, group name, device name): one line, no
//   control characters, no bidi embeddings, overrides or isolates (U+202A-E,
//   U+2066-9: they turn the text around it), no lone surrogates, and
//   something visible (not only spaces, zero-width or other format characters);
// - a message: any text but NUL and lone surrogates (line breaks are fine);
// - a password (NIST 800-63B): 8-128 characters, not only whitespace, not the
//   username, not one of the 1,000 most common passwords (common-passwords.ts);
// - a username: 3-32 of a-z 0-9 _ . with at least one letter or digit.

import { COMMON_PASSWORDS } from "./common-passwords";
import { AppError, type ErrorCode } from "./errors";
import { PASSWORD_MAX, PASSWORD_MIN, USERNAME_PATTERN } from "./limits";

// With the u flag, a surrogate in a class matches only when it is unpaired.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}]/u;
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;
// Visible: anything but separators, format characters (zero-width ones
// included), marks on their own and the Hangul fillers that render as nothing.
const VISIBLE = /[^\p{Z}\p{Cf}\p{M}\s\u115F\u1160\u3164\uFFA0]/u;

/** Length in Unicode code points, so an emoji counts as one character. */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The bytes of `text` in UTF-8 (a lone surrogate as the 3 of U+FFFD), without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** A one-line name, trimmed: min..max characters of the rules above. */
export function checkName(raw: string, field: string, min: number, max: number): string {
  if (CONTROL.test(raw)) throw invalid(field, "must be one line without control characters");
  if (BIDI_CONTROL.test(raw)) throw invalid(field, "must not hold bidirectional override characters");
  if (LONE_SURROGATE.test(raw)) throw invalid(field, "must be valid Unicode");
  const value = raw.trim();
  const length = codePoints(value);
  if (length < min) throw invalid(field, "must not be empty");
  if (length > max) throw invalid(field, `must be at most ${max} characters`);
  if (length > 0 && !VISIBLE.test(value)) throw invalid(field, "must have a visible character");
  return value;
}

/** Message text (and edits): anything but NUL and lone surrogates. */
export function checkMessageText(text: string, field = "text"): string {
  if (text.includes("\u0000")) throw invalid(field, "must not contain NUL");
  if (LONE_SURROGATE.test(text)) throw invalid(field, "must be valid Unicode");
  return text;
}

/** A new password (registration). Login checks only the length, so older passwords still log in. */
export function checkNewPassword(password: string, username: string): string {
  const code: ErrorCode = "invalid_password";
  const length = codePoints(password);
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
    throw new AppError(code, `password must be ${PASSWORD_MIN}-${PASSWORD_MAX} characters`);
  }
  if (password.trim() === "") throw new AppError(code, "password must not be only spaces");
  if (LONE_SURROGATE.test(password) || password.includes("\u0000")) {
    throw new AppError(code, "password must be valid Unicode without NUL");
  }
  const lower = password.toLowerCase();
  if (lower === username.toLowerCase()) throw new AppError(code, "password must not be the username");
  if (COMMON_PASSWORDS.has(lower)) throw new AppError(code, "this password is too common; choose another");
  return password;
}

const HAS_LETTER_OR_DIGIT = /[a-z0-9]/;

/** A username, already lower-cased. */
export function checkUsername(username: string): string {
  if (!USERNAME_PATTERN.test(username) || !HAS_LETTER_OR_DIGIT.test(username)) {
    throw new AppError("invalid_username", "username must be 3-32 characters of a-z 0-9 _ . with a letter or digit");
  }
  return username;
}

/** Every body has a fixed set of fields: any other key is refused, so a typo is not silently dropped. */
export function onlyFields(fields: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(fields)) {
    if (!allowed.includes(key)) throw new AppError("invalid_field", `${key.slice(0, 64)} is not a field of this body`);
  }
}

function invalid(field: string, why: string): AppError {
  return new AppError("invalid_field", `${field} ${why}`);
}
