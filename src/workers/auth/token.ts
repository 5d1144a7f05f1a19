// Session tokens: JWTs signed with HS256. The algorithm is pinned on verify,
// so `alg: none` and algorithm-confusion tokens are refused. The token names
// a session (`sid`); the session row in D1 is what logout revokes.

import { jwtVerify, SignJWT } from "jose";
import { AppError } from "../../shared/errors";
import { JWT_SECRET_MIN, TOKEN_TTL_SECONDS } from "../../shared/limits";

const ISSUER = "edge-chat";
const AUDIENCE = "edge-chat:api";
const ALG = "HS256";

export interface TokenClaims {
  userId: string;
  sessionId: string;
}

function key(secret: string): Uint8Array {
  if (!secret || secret.length < JWT_SECRET_MIN)
    throw new AppError("unavailable", "server has no signing secret configured");
  return new TextEncoder().encode(secret);
}

export async function signToken(claims: TokenClaims, secret: string, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ sid: claims.sessionId })
    .setProtectedHeader({ alg: ALG, typ: "JWT" })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + TOKEN_TTL_SECONDS)
    .sign(key(secret));
}

/** Checks signature, algorithm, issuer, audience and times; throws 401 otherwise. */
export async function verifyToken(token: string, secret: string): Promise<TokenClaims & { expiresAt: number }> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      algorithms: [ALG],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ["sub", "sid", "exp", "nbf"],
    });
    if (typeof payload.sub !== "string" || typeof payload.sid !== "string" || typeof payload.exp !== "number") {
      throw new Error("malformed claims");
    }
    return { userId: payload.sub, sessionId: payload.sid, expiresAt: payload.exp * 1000 };
  } catch (err) {
    if (err instanceof AppError && err.code === "unavailable") throw err;
    throw new AppError("unauthorized", "invalid or expired token");
  }
}
