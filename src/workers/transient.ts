// Which thrown errors mean "a store we depend on is briefly unreachable" rather
// than "our code is wrong". Those are answered 503 `unavailable` with a
// Retry-After, so a client waits and retries instead of giving up or, worse,
// logging the user out: a D1 outage must never look like a revoked session.
//
// Durable Object stubs mark such errors with `retryable` or `overloaded`; D1
// has no flag, and names them in the message (see Cloudflare's D1 "retry
// queries" guide for the list).

const D1_TRANSIENT = [
  "Network connection lost",
  "storage caused object to be reset",
  "reset because its code was updated",
  "D1 DB is overloaded",
  "Cannot resolve D1 DB due to transient issue",
];

export function isTransient(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const flags = err as { retryable?: unknown; overloaded?: unknown };
  if (flags.retryable === true || flags.overloaded === true) return true;
  const message = String((err as { message?: unknown }).message ?? "");
  return D1_TRANSIENT.some((text) => message.includes(text));
}
