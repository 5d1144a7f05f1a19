// Throttles backed by ThrottleObject: one object per key, so that every
// Worker instance sees the same count. Keys by username (brute force on one
// account) and by client address (one client trying many accounts, or
// registering many). The client address is CF-Connecting-IP, which
// Cloudflare sets on every request in production. Loopback addresses (local
// development, tests and benchmarks on one machine, where wrangler dev sets
// 127.0.0.1) are exempt: in production no request comes from loopback.

import type { Context } from "hono";
import { AppError, type ErrorCode } from "../../shared/errors";

export interface Limit {
  key: string;
  max: number;
  windowMs: number;
}

function stub(env: Env, key: string) {
  return env.THROTTLE.get(env.THROTTLE.idFromName(key));
}

export function clientAddress(c: Context): string | undefined {
  const address = c.req.header("CF-Connecting-IP");
  if (!address || address.startsWith("127.") || address === "::1" || address === "::ffff:127.0.0.1") return undefined;
  return address;
}

/** Throws 429 if any of the limits is used up. */
export async function assertNotBlocked(
  env: Env,
  limits: Limit[],
  message: string,
  code: ErrorCode = "too_many_attempts",
): Promise<void> {
  const states = await Promise.all(limits.map((l) => stub(env, l.key).check(l.max, l.windowMs)));
  const blocked = states.filter((s) => s.blocked);
  if (blocked.length === 0) return;
  const retryAfter = Math.ceil(Math.max(...blocked.map((s) => s.retryAfterMs)) / 1000);
  throw new AppError(code, message, { retryAfter });
}

/** Counts one event against each limit. */
export async function recordEvent(env: Env, limits: Limit[]): Promise<void> {
  await Promise.all(limits.map((l) => stub(env, l.key).record(l.max, l.windowMs)));
}

export async function clearLimit(env: Env, key: string): Promise<void> {
  await stub(env, key).clear();
}
