// A chat's mute (PUT /api/chats/:chat/mute, docs/protocol.md "Mute"): the body
// `{"until": <ms> | null | "always"}` checked here, for the Worker, the
// object and the page alike. A time must be a whole number of milliseconds
// still ahead and at most MUTE_MAX_MS away; null unmutes.

import * as v from "valibot";
import { AppError } from "./errors";
import { MUTE_MAX_MS } from "./limits";
import type { MutedUntil } from "./protocol";
import { parseBody } from "./schemas/bodies";

/** The body's shape; the time's bounds depend on now (parseMuteBody). */
export const muteBody = v.strictObject({
  until: v.union(
    [v.null(), v.literal("always"), v.pipe(v.number(), v.safeInteger())],
    'until must be a time in ms, null or "always"',
  ),
});

/** What the page offers: 8 hours, a week, always. */
export const MUTE_CHOICES: readonly { label: string; ms: number | "always" }[] = [
  { label: "8 hours", ms: 8 * 3600_000 },
  { label: "1 week", ms: 7 * 24 * 3600_000 },
  { label: "Always", ms: "always" },
];

/** The answer of PUT /api/chats/:chat/mute: the chat's mute as it now stands. */
export interface MuteState {
  chat: string;
  mutedUntil: MutedUntil | null;
}

export function parseMuteBody(body: unknown, now: number): { until: MutedUntil | null } {
  const fields = body !== null && typeof body === "object" && !Array.isArray(body) ? body : null;
  if (fields && !("until" in fields)) {
    throw new AppError("invalid_field", 'until is required (a time in ms, null or "always")');
  }
  const { until } = parseBody(muteBody, body);
  if (until === null || until === "always") return { until };
  if (until <= now) throw new AppError("invalid_field", "until must be in the future");
  if (until > now + MUTE_MAX_MS) throw new AppError("invalid_field", "until must be at most a year ahead");
  return { until };
}
