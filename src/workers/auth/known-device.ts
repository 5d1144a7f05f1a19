// A device that logged in to an account before carries a cookie that says
// so: `<random id>.<HMAC of the username and that id>`, signed with the
// token secret. It lets the owner through the account-wide login limit that
// a guesser spread over many addresses trips (OWASP's "device cookie"), and
// is no credential by itself: the password is checked as always.

import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { randomId } from "../../shared/ids";
import type { AppEnv } from "../app-env";

const COOKIE = "known_device";
const MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

async function sign(secret: string, username: string, id: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`known-device:${username}:${id}`));
  return btoa(String.fromCharCode(...new Uint8Array(mac)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** True when the request carries this account's device cookie. */
export async function isKnownDevice(c: Context<AppEnv>, username: string): Promise<boolean> {
  const value = getCookie(c, COOKIE);
  const [id, mac] = value?.split(".") ?? [];
  if (!id || !mac) return false;
  return sameText(await sign(c.env.JWT_SECRET, username, id), mac);
}

/** Compares without stopping at the first difference, so timing tells nothing of the MAC. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** After a successful login or registration: this device is known to this account from now on. */
export async function rememberDevice(c: Context<AppEnv>, username: string): Promise<void> {
  const id = randomId();
  setCookie(c, COOKIE, `${id}.${await sign(c.env.JWT_SECRET, username, id)}`, {
    path: "/api/auth",
    httpOnly: true,
    sameSite: "Strict",
    secure: c.env.ENVIRONMENT === "production",
    maxAge: MAX_AGE_SECONDS,
  });
}
