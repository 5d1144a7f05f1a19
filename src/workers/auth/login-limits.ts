// The three counts of failed logins, after OWASP's authentication cheat sheet:
// - per (username, address): 10 failures in 15 minutes lock that pair for the
//   rest of the window, even with the right password (the contract's promise,
//   kept for the guessing pair), and each later lockout lasts twice as long;
// - per address, across usernames: 100 failures, growing the same way;
// - per account, across addresses: 50 failures lock the account to devices
//   that never logged in to it; a device with the known-device cookie passes.
// So a guesser stops, and the owner, from another address or a known device,
// still logs in. Loopback (one machine) counts as one address, "local", for
// the pair, and is exempt from the per-address count (see throttle.ts).

import {
  LOGIN_FAILURES_MAX,
  LOGIN_FAILURES_PER_ACCOUNT_MAX,
  LOGIN_FAILURES_PER_ADDRESS_MAX,
  LOGIN_WINDOW_MS,
} from "../../shared/limits";
import type { Limit } from "./throttle";

export interface LoginLimits {
  /** Refuse while any of these is used up. */
  always: Limit[];
  /** Refuse while this is used up, unless the device is known to the account. */
  account: Limit;
}

export function loginLimits(username: string, address: string | undefined): LoginLimits {
  const always: Limit[] = [
    {
      key: `login:${username}@${address ?? "local"}`,
      limit: LOGIN_FAILURES_MAX,
      windowMs: LOGIN_WINDOW_MS,
      grow: true,
    },
  ];
  if (address) {
    always.push({
      key: `login-from:${address}`,
      limit: LOGIN_FAILURES_PER_ADDRESS_MAX,
      windowMs: LOGIN_WINDOW_MS,
      grow: true,
    });
  }
  const account = {
    key: `login-account:${username}`,
    limit: LOGIN_FAILURES_PER_ACCOUNT_MAX,
    windowMs: LOGIN_WINDOW_MS,
  };
  return { always, account };
}
