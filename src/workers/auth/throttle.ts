// Throttles backed by ThrottleObject: one object per key, so that every
// Worker instance sees the same count. Keys by account, by (account,
// address) and by client address (see auth/login-limits.ts), and by address
// for registrations. The client address is CF-Connecting-IP, which
// Cloudflare sets on every request in production, counted by its /64 for
// IPv6 and in one spelling (auth/address.ts). Loopback addresses (local
// development, tests and benchmarks on one machine, where wrangler dev sets
// 127.0.0.1) are exempt from the per-address limits: in production no
// request comes from loopback.

import type { Context } from "hono";
import type { ThrottleRule } from "../../objects/throttle-object";
import { AppError, type ErrorCode } from "../../shared/errors";
import { addressKey, isLoopback } from "./address";

export interface Limit extends ThrottleRule {
  key: string;
}

function stub(env: Env, key: string) {
  return env.THROTTLE.get(env.THROTTLE.idFromName(key));
}

/** The key of the client's address, or undefined for loopback (and for a missing or malformed header). */
export function clientAddress(c: Context): string | undefined {
  const address = c.req.header("CF-Connecting-IP");
  if (!address || isLoopback(address)) return undefined;
  return addressKey(address);
}

/** The limits that are used up, with the longest wait among them (undefined when none is). */
export async function blockedBy(
  env: Env,
  limits: Limit[],
): Promise<{ keys: string[]; retryAfter: number } | undefined> {
  const states = await Promise.all(limits.map((l) => stub(env, l.key).check(l)));
  const keys = limits.filter((_, i) => states[i]?.blocked).map((l) => l.key);
  if (keys.length === 0) return undefined;
  const retryAfter = Math.ceil(Math.max(...states.filter((s) => s.blocked).map((s) => s.retryAfterMs)) / 1000);
  return { keys, retryAfter };
}

/** Throws 429 if any of the limits is used up. */
export async function assertNotBlocked(
  env: Env,
  limits: Limit[],
  message: string,
  code: ErrorCode = "too_many_attempts",
): Promise<void> {
  const blocked = await blockedBy(env, limits);
  if (blocked) throw new AppError(code, message, { retryAfter: blocked.retryAfter });
}

/** Counts one event against each limit. */
export async function recordEvent(env: Env, limits: Limit[]): Promise<void> {
  await Promise.all(limits.map((l) => stub(env, l.key).record(l)));
}

export async function clearLimit(env: Env, key: string): Promise<void> {
  await stub(env, key).clear();
}
