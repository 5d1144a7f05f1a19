// Authentication for the API: a Bearer token, verified (signature, algorithm,
// issuer, audience, times) and then checked against its session in D1, on
// the shard of the user id the token names (shared/shards.ts).

import { createMiddleware } from "hono/factory";
import { AppError } from "../../shared/errors";
import { previousShardOfUser, userDb } from "../../shared/shards";
import type { AppEnv, AuthContext } from "../app-env";
import { isSessionActive } from "./sessions";
import { verifyToken } from "./token";

export async function authenticate(env: Env, token: string | undefined | null): Promise<AuthContext> {
  if (!token) throw new AppError("unauthorized", "a token is required");
  const claims = await verifyToken(token, env.JWT_SECRET);
  const active = async (db: D1Database) => isSessionActive(db, claims.sessionId, claims.userId);
  // While the user's bucket moves, a session made on the shard it comes from may not be copied yet.
  const previous = previousShardOfUser(claims.userId);
  if (!(await active(userDb(env, claims.userId))) && !(previous && (await active(env[previous])))) {
    throw new AppError("unauthorized", "this session has ended; log in again");
  }
  return { userId: claims.userId, sessionId: claims.sessionId };
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  c.set("auth", await authenticate(c.env, bearerToken(c.req.header("Authorization"))));
  await next();
});
