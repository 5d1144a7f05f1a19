// Names every name rule refuses (shared/text-rules.ts): a line break, a tab,
// bidi override and isolate characters, zero-width or invisible only, a lone
// surrogate. No runtime imports, so unit tests of src/shared may use it too.

export const BAD_NAMES = [
  "two\nlines",
  "tab\there",
  "\u202Eevil.exe",
  "iso\u2066late",
  "\u200B\u200B",
  "\uFEFF",
  " \u3164 ",
  "lone \uD800",
];
