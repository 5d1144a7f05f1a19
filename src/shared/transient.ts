// Which thrown errors mean "a store we depend on is briefly unreachable" rather
// than "our code is wrong". Those are answered `unavailable` (an HTTP 503 with
// a Retry-After, or an `error` frame with that code), so a client waits and
// retries instead of giving up or, worse, logging the user out: a D1 outage
// must never look like a revoked session. Shared by the Worker's error handler
// (workers/error-handler.ts) and the user object's frames (objects/user/frame-errors.ts),
// so both sides agree on what is worth a retry.
//
// Durable Object stubs mark such errors with `retryable` or `overloaded`; D1
// has no flag, and names them in the message (see Cloudflare's D1 "retry
// queries" guide for the list).

import { AppError } from "./errors";

const D1_TRANSIENT = [
  "Network connection lost",
  "storage caused object to be reset",
  "reset because its code was updated",
  "D1 DB is overloaded",
  "Cannot resolve D1 DB due to transient issue",
];

/** Seconds a client waits before retrying after a store was unreachable. */
export const UNAVAILABLE_RETRY_AFTER_S = 1;

export function isTransient(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const flags = err as { retryable?: unknown; overloaded?: unknown };
  if (flags.retryable === true || flags.overloaded === true) return true;
  const message = String((err as { message?: unknown }).message ?? "");
  return D1_TRANSIENT.some((text) => message.includes(text));
}

/** What a transient error is answered with, over HTTP and on a frame alike. */
export function unavailable(): AppError {
  return new AppError("unavailable", "the service is briefly unavailable; try again", {
    retryAfter: UNAVAILABLE_RETRY_AFTER_S,
  });
}
