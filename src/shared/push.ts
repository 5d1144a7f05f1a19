// Web Push subscriptions (POST/DELETE /api/me/push, docs/protocol.md "Web
// Push"): the body is the browser's PushSubscription.toJSON(), checked here.
// The endpoint must be https (RFC 8030), at most PUSH_ENDPOINT_MAX characters,
// with no user name or password in it; outside production an http endpoint on
// the loopback address is also taken (the end-to-end test's push receiver).
// keys.p256dh is the browser's P-256 public key (65 bytes, uncompressed) and
// keys.auth its 16-byte secret, both base64url.

import * as v from "valibot";
import { AppError } from "./errors";
import { PUSH_ENDPOINT_MAX } from "./limits";
import { parseBody } from "./schemas/bodies";
import { maxChars } from "./schemas/check";

const endpointField = v.pipe(v.string(), v.minLength(1, "endpoint must not be empty"), maxChars(PUSH_ENDPOINT_MAX));

/** The browser's PushSubscription.toJSON(); the keys' bytes are checked in parsePushBody. */
export const pushSubscriptionBody = v.strictObject({
  endpoint: endpointField,
  expirationTime: v.optional(v.nullable(v.number("expirationTime must be a number or null"))),
  keys: v.strictObject({
    p256dh: v.pipe(v.string(), v.minLength(1), maxChars(200)),
    auth: v.pipe(v.string(), v.minLength(1), maxChars(100)),
  }),
});

export const pushEndpointBody = v.strictObject({ endpoint: endpointField });

export interface PushSubscriptionBody {
  endpoint: string;
  p256dh: string;
  auth: string;
}

const B64URL = /^[A-Za-z0-9_-]+={0,2}$/;

export function base64UrlBytes(text: string): Uint8Array | null {
  if (!B64URL.test(text)) return null;
  const plain = text.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
  try {
    return Uint8Array.from(atob(plain + "=".repeat((4 - (plain.length % 4)) % 4)), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

function bad(why: string): never {
  throw new AppError("invalid_field", why);
}

export function checkEndpoint(endpoint: string, allowLoopbackHttp: boolean): string {
  if (endpoint.length > PUSH_ENDPOINT_MAX) bad(`endpoint must be at most ${PUSH_ENDPOINT_MAX} characters`);
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    bad("endpoint must be a URL");
  }
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
  if (url.protocol !== "https:" && !(allowLoopbackHttp && url.protocol === "http:" && loopback)) {
    bad("endpoint must be an https URL");
  }
  if (url.username || url.password) bad("endpoint must not carry a user name or password");
  return url.href;
}

export function parsePushBody(body: unknown, allowLoopbackHttp: boolean): PushSubscriptionBody {
  const parsed = parseBody(pushSubscriptionBody, body);
  const endpoint = checkEndpoint(parsed.endpoint, allowLoopbackHttp);
  const { p256dh, auth } = parsed.keys;
  const point = base64UrlBytes(p256dh);
  if (point?.length !== 65 || point[0] !== 4) bad("keys.p256dh must be a P-256 public key (65 bytes, base64url)");
  const secret = base64UrlBytes(auth);
  if (secret?.length !== 16) bad("keys.auth must be 16 bytes, base64url");
  return { endpoint, p256dh, auth };
}

export function parseEndpointBody(body: unknown, allowLoopbackHttp: boolean): string {
  return checkEndpoint(parseBody(pushEndpointBody, body).endpoint, allowLoopbackHttp);
}
