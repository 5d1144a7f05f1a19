// The query strings of the HTTP routes. Unknown query keys are ignored.

import * as v from "valibot";
import { ENTITY_ID_PATTERN, MESSAGE_ID_PATTERN } from "../ids";
import {
  HISTORY_LIMIT_DEFAULT,
  HISTORY_LIMIT_MAX,
  SEARCH_QUERY_MAX,
  SEARCH_WORDS_MAX,
  USER_LOOKUP_MAX,
} from "../limits";
import { maxChars, says } from "./check";

const LIMIT = `limit must be an integer from 1 to ${HISTORY_LIMIT_MAX}`;

/** `limit=<1..100>`, HISTORY_LIMIT_DEFAULT when absent. */
export const limit = v.optional(
  v.pipe(
    v.string(LIMIT),
    v.regex(/^\d+$/, LIMIT),
    v.transform(Number),
    v.minValue(1, LIMIT),
    v.maxValue(HISTORY_LIMIT_MAX, LIMIT),
    v.description(`an integer from 1 to ${HISTORY_LIMIT_MAX}`),
  ),
  String(HISTORY_LIMIT_DEFAULT),
);

/** `before=<messageId>`: the page just before that message. */
export const before = v.optional(
  v.pipe(v.string(), v.regex(MESSAGE_ID_PATTERN, "before must be a message id"), v.description("a message id")),
);

/** `GET /api/chats/:chat/messages` */
export const historyQuery = v.object({ before, limit });

// A word is a run of letters, digits and marks, as SQLite's unicode61
// tokenizer sees it; everything else (quotes, `*`, parentheses, `-`) only
// separates words. So no character of a query is ever FTS syntax.
const SEARCH_WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

/**
 * `q`: the words of a search, lower-cased and distinct, in order. An empty
 * list (a query of punctuation only) means "matches nothing".
 */
export const searchWords = v.pipe(
  v.string("q is required"),
  maxChars(SEARCH_QUERY_MAX, says("query_too_long", `q must be at most ${SEARCH_QUERY_MAX} characters`)),
  v.transform((q) => [...new Set(q.toLowerCase().match(SEARCH_WORD) ?? [])]),
  // A check, not maxLength: JSON Schema would read it as the length of q.
  v.check(
    (words) => words.length <= SEARCH_WORDS_MAX,
    says("query_too_long", `q must have at most ${SEARCH_WORDS_MAX} words`),
  ),
  v.description(`words to find: at most ${SEARCH_QUERY_MAX} characters and ${SEARCH_WORDS_MAX} words`),
);

/** `GET /api/search` */
export const searchQuery = v.object({ q: searchWords, limit, before });

const IDS = `ids must be 1 to ${USER_LOOKUP_MAX} comma-separated user ids`;

/** `ids=a,b`: distinct user ids, 1 to USER_LOOKUP_MAX. */
export const userIdList = v.pipe(
  v.optional(v.string(), ""),
  v.transform((value) => [...new Set(value.split(",").filter((id) => id !== ""))]),
  v.minLength(1, IDS),
  v.maxLength(USER_LOOKUP_MAX, IDS),
  v.check((ids) => ids.every((id) => ENTITY_ID_PATTERN.test(id)), IDS),
  v.description(`1 to ${USER_LOOKUP_MAX} comma-separated user ids`),
);

/** `GET /api/users?ids=` */
export const userLookupQuery = v.object({ ids: userIdList });

/** `GET /ws`: the token, unless it comes as the Sec-WebSocket-Protocol value. */
export const socketQuery = v.object({ token: v.optional(v.string()) });

/** `GET /api/users/:id/avatar`: the picture's version (User.avatar names it). */
export const avatarQuery = v.object({ v: v.optional(v.string()) });
