// A reaction is one emoji: one grapheme (a flag, a keycap, a skin tone or a
// ZWJ sequence counts as one) made only of emoji code points, and at most
// REACTION_MAX_BYTES of UTF-8. The page and the server check it alike.

import { AppError } from "./errors";
import { REACTION_MAX_BYTES } from "./limits";
import { utf8Length } from "./text-rules";

/** Emoji, their modifiers and components (digits, #, *, ZWJ, VS16, keycap, tags): nothing else. */
const EMOJI_ONLY = /^(?:\p{Extended_Pictographic}|\p{Emoji_Component}|\u200d|\ufe0f|\u20e3)+$/u;
/** Something to see: a pictograph, a flag's letters or a keycap (a bare digit is not an emoji). */
const PICTURE = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u;

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

export function isEmoji(text: string): boolean {
  if (text.length === 0 || utf8Length(text) > REACTION_MAX_BYTES) return false;
  if (!EMOJI_ONLY.test(text) || !PICTURE.test(text)) return false;
  let count = 0;
  for (const _ of graphemes.segment(text)) if (++count > 1) return false;
  return true;
}

/** The emoji itself, or invalid_emoji. */
export function checkEmoji(text: string): string {
  if (!isEmoji(text)) {
    throw new AppError("invalid_emoji", `a reaction is one emoji (at most ${REACTION_MAX_BYTES} bytes)`);
  }
  return text;
}
