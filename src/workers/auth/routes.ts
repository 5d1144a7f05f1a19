// POST /api/auth/register, /login, /logout.

import { Hono } from "hono";
import { AppError } from "../../shared/errors";
import { LOGIN_FAILURES_MAX, LOGIN_WINDOW_MS } from "../../shared/limits";
import { type AuthAnswer, parseLoginBody, parseRegisterBody } from "../../shared/protocol";
import type { AppEnv } from "../app-env";
import { readJson } from "../http";
import { createUser, findByUsername, passwordOf, toUser } from "./accounts";
import { requireAuth } from "./middleware";
import { hashPassword, verifyPassword } from "./password";
import { createSession, revokeSession } from "./sessions";
import { signToken } from "./token";

export const authRoutes = new Hono<AppEnv>();

authRoutes.post("/register", async (c) => {
  const body = parseRegisterBody(await readJson(c));
  const password = await hashPassword(body.password);
  const user = await createUser(c.env.DB, {
    username: body.username,
    displayName: body.displayName ?? body.username,
    password,
  });
  const answer: AuthAnswer = { token: await newSession(c.env, user.id, c.req.header("User-Agent")), user };
  return c.json(answer, 201);
});

authRoutes.post("/login", async (c) => {
  const body = parseLoginBody(await readJson(c));
  const throttle = c.env.THROTTLE.get(c.env.THROTTLE.idFromName(`login:${body.username}`));
  const state = await throttle.check(LOGIN_FAILURES_MAX, LOGIN_WINDOW_MS);
  if (state.blocked) {
    throw new AppError("too_many_attempts", "too many failed logins; try again later", {
      retryAfter: Math.ceil(state.retryAfterMs / 1000),
    });
  }
  const row = await findByUsername(c.env.DB, body.username);
  // Unknown users cost the same PBKDF2 work as known ones, so timing tells nothing.
  const valid = row
    ? await verifyPassword(body.password, passwordOf(row))
    : await verifyPassword(body.password, await hashPassword("not-a-user-password"));
  if (!row || !valid) {
    await throttle.record(LOGIN_FAILURES_MAX, LOGIN_WINDOW_MS);
    throw new AppError("bad_credentials", "wrong username or password");
  }
  await throttle.clear();
  const answer: AuthAnswer = { token: await newSession(c.env, row.id, c.req.header("User-Agent")), user: toUser(row) };
  return c.json(answer, 200);
});

authRoutes.post("/logout", requireAuth, async (c) => {
  const { userId, sessionId } = c.get("auth");
  await revokeSession(c.env.DB, sessionId);
  await c.env.USERS.get(c.env.USERS.idFromName(userId)).closeSession(sessionId);
  return c.body(null, 204);
});

async function newSession(env: Env, userId: string, device = ""): Promise<string> {
  const sessionId = await createSession(env.DB, userId, device);
  return signToken({ userId, sessionId }, env.JWT_SECRET);
}
