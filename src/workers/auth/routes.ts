// POST /api/auth/register, /login, /logout.

import { Hono } from "hono";
import { AppError } from "../../shared/errors";
import { REGISTRATION_WINDOW_MS, REGISTRATIONS_PER_ADDRESS_MAX } from "../../shared/limits";
import { type AuthAnswer, parseLoginBody, parseRegisterBody } from "../../shared/protocol";
import { bucketOfUsername, newUserId, previousShardOfUser, userDb } from "../../shared/shards";
import type { AppEnv } from "../app-env";
import { readJson } from "../http";
import { createUser, findByUsername, passwordOf, toUser } from "./accounts";
import { isKnownDevice, rememberDevice } from "./known-device";
import { loginLimits } from "./login-limits";
import { requireAuth } from "./middleware";
import { hashPassword, type PasswordHash, verifyPassword } from "./password";
import { createSession, revokeSession, sessionStatements } from "./sessions";
import { assertNotBlocked, blockedBy, clearLimit, clientAddress, type Limit, recordEvent } from "./throttle";
import { signToken } from "./token";

export const authRoutes = new Hono<AppEnv>();

authRoutes.post("/register", async (c) => {
  const body = parseRegisterBody(await readJson(c));
  const address = clientAddress(c);
  const limits: Limit[] = address
    ? [{ key: `register:${address}`, limit: REGISTRATIONS_PER_ADDRESS_MAX, windowMs: REGISTRATION_WINDOW_MS }]
    : [];
  await assertNotBlocked(c.env, limits, "too many new accounts from this address; try again later");
  const password = await hashPassword(body.password);
  const device = body.device ?? c.req.header("User-Agent") ?? "";
  // The id carries the bucket of the username: the account, its session and the name's uniqueness are on one shard.
  const id = newUserId(bucketOfUsername(body.username));
  // The account and its first session are one D1 transaction (see createUser).
  const session = sessionStatements(userDb(c.env, id), id, device);
  const user = await createUser(
    c.env,
    { id, username: body.username, displayName: body.displayName ?? body.username, password },
    session.statements,
  );
  await recordEvent(c.env, limits);
  await rememberDevice(c, body.username);
  const token = await signToken({ userId: id, sessionId: session.id }, c.env.JWT_SECRET);
  const answer: AuthAnswer = { token, user };
  return c.json(answer, 201);
});

authRoutes.post("/login", async (c) => {
  const body = parseLoginBody(await readJson(c));
  const { always, account } = loginLimits(body.username, clientAddress(c));
  const tooMany = "too many failed logins; try again later";
  await assertNotBlocked(c.env, always, tooMany);
  // Many failures from many addresses: only a device that logged in to this account before gets through.
  const accountLocked = await blockedBy(c.env, [account]);
  if (accountLocked && !(await isKnownDevice(c, body.username))) {
    throw new AppError("too_many_attempts", tooMany, { retryAfter: accountLocked.retryAfter });
  }
  const row = await findByUsername(c.env, body.username);
  // Unknown users cost the same PBKDF2 work as known ones, so timing tells nothing.
  const valid = row
    ? await verifyPassword(body.password, passwordOf(row))
    : await verifyPassword(body.password, await decoyHash());
  if (!row || !valid) {
    await recordEvent(c.env, [...always, account]);
    throw new AppError("bad_credentials", "wrong username or password");
  }
  // The pair's count only: the account's and the address's stay, so one login does not reset a guesser elsewhere.
  const [pair] = always;
  if (pair) await clearLimit(c.env, pair.key);
  await rememberDevice(c, body.username);
  const device = body.device ?? c.req.header("User-Agent");
  const answer: AuthAnswer = { token: await newSession(c.env, row.id, device), user: toUser(row) };
  return c.json(answer, 200);
});

authRoutes.post("/logout", requireAuth, async (c) => {
  const { userId, sessionId } = c.get("auth");
  await revokeSession(userDb(c.env, userId), sessionId);
  // While the user's bucket moves, the session may still be on the shard it comes from only.
  const previous = previousShardOfUser(userId);
  if (previous) await revokeSession(c.env[previous], sessionId);
  await c.env.USERS.get(c.env.USERS.idFromName(userId)).closeSession(sessionId);
  return c.body(null, 204);
});

// A hash to check unknown usernames against, made once per isolate, so that
// they cost exactly one PBKDF2 derivation like known ones.
let decoy: Promise<PasswordHash> | undefined;
function decoyHash(): Promise<PasswordHash> {
  decoy ??= hashPassword(crypto.randomUUID());
  return decoy;
}

/** A new session; beyond SESSIONS_PER_USER_MAX the oldest are logged out, their sockets closed. */
async function newSession(env: Env, userId: string, device = ""): Promise<string> {
  const { id: sessionId, dropped } = await createSession(userDb(env, userId), userId, device);
  if (dropped.length > 0) {
    const user = env.USERS.get(env.USERS.idFromName(userId));
    await Promise.all(dropped.map((sid) => user.closeSession(sid)));
  }
  return signToken({ userId, sessionId }, env.JWT_SECRET);
}
