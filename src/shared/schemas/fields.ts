// The fields that many shapes share: ids, chat ids, client ids, names and
// message text. Each names no field in its messages unless it has a code of
// its own: check.ts words the rest from where the field stood.

import * as v from "valibot";
import { checkEmoji } from "../emoji";
import { ENTITY_ID_PATTERN, MESSAGE_ID_PATTERN } from "../ids";
import { CLIENT_ID_MAX, REACTION_MAX_BYTES, TEXT_MAX } from "../limits";
import { checkMessageText, checkName } from "../text-rules";
import { maxChars, minChars, says } from "./check";

/** `u:<userId>` or `g:<groupId>`, always from the reader's point of view. */
export type ChatId = `u:${string}` | `g:${string}`;

export const CLIENT_ID_PATTERN = /^[\x21-\x7e]+$/; // printable ASCII, no spaces
export const CHAT_ID_PATTERN = /^[ug]:[0-9a-z]{16}$/; // u: or g: and an ENTITY_ID_PATTERN

/** A user, group or session id: 16 characters of lower-case base32. */
export const entityId = v.pipe(v.string(), v.regex(ENTITY_ID_PATTERN), v.description("a user or group id"));

/** A message id: 29 characters, sorting in time order. */
export const messageId = v.pipe(v.string(), v.regex(MESSAGE_ID_PATTERN), v.description("a message id"));

const CHAT_MESSAGE = says("invalid_chat", "chat must be u:<userId> or g:<groupId>");

/** A chat id; anything else is invalid_chat. */
export const chatId = v.pipe(
  v.string(CHAT_MESSAGE),
  v.regex(CHAT_ID_PATTERN, CHAT_MESSAGE),
  v.transform((value) => value as ChatId),
  v.description("u:<userId> (one-to-one) or g:<groupId> (a group)"),
);

/** A client's retry key: 1-64 printable ASCII characters without spaces. */
export const clientId = v.pipe(v.string(), minChars(1), maxChars(CLIENT_ID_MAX), v.regex(CLIENT_ID_PATTERN));

/** Message text (send, edit): 1 to TEXT_MAX code points, by the rules of text-rules.ts. */
export const messageText = v.pipe(
  v.string(),
  minChars(1),
  maxChars(TEXT_MAX, says("text_too_long", `text must be at most ${TEXT_MAX} characters`)),
  v.transform((text) => checkMessageText(text)),
);

/** A reaction: one emoji grapheme, by the rules of ../emoji.ts (invalid_emoji otherwise). */
export const reactionEmoji = v.pipe(
  v.string(says("invalid_emoji", "a reaction is one emoji")),
  v.transform((text) => checkEmoji(text)),
  v.description(`one emoji (a single grapheme, at most ${REACTION_MAX_BYTES} bytes of UTF-8)`),
);

/** A one-line name (display name, about, group name, device), trimmed, by checkName. */
/* @__NO_SIDE_EFFECTS__ */
export function name(field: string, min: number, max: number) {
  return v.pipe(
    v.string(),
    v.transform((raw) => checkName(raw, field, min, max)),
    v.description(`one line of ${min}-${max} characters once trimmed, with a visible one`),
  );
}

/** A millisecond timestamp or count: a non-negative integer. */
export const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
