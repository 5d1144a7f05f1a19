// Profile pictures: PUT/DELETE /api/me/avatar (the owner) and
// GET /api/users/:id/avatar (without a token, so an <img> can show it, for
// those the owner did not block: see mayFetch).

import { type Context, Hono } from "hono";
import { AppError } from "../../shared/errors";
import { AVATAR_MAX_BYTES } from "../../shared/limits";
import { isEntityId } from "../../shared/protocol";
import type { AppEnv } from "../app-env";
import { findById, toMe } from "../auth/accounts";
import { authenticate, bearerToken, requireAuth } from "../auth/middleware";
import { blockersOf } from "../safety/blocks-db";
import { readBytes } from "./read-bytes";
import { sniffImage } from "./sniff";
import { avatarKey, currentVersion, deleteAvatar, putAvatar } from "./store";

// Mounted at /api before the /api/me and /api/users routers, whose auth
// middleware would otherwise ask the public GET for a token.
export const avatarRoutes = new Hono<AppEnv>();

avatarRoutes.put("/me/avatar", requireAuth, async (c) => {
  const bytes = await readBytes(c.req.raw, AVATAR_MAX_BYTES);
  if (bytes.length === 0) throw new AppError("invalid_body", "send the picture's bytes as the body");
  const type = sniffImage(bytes);
  if (!type) throw new AppError("unsupported_media", "the picture must be a PNG, JPEG or WebP image");
  const { userId } = c.get("auth");
  await putAvatar(c.env, userId, bytes, type);
  const row = await findById(c.env, userId);
  if (!row) throw new AppError("not_found", "this account no longer exists");
  return c.json(toMe(row));
});

avatarRoutes.delete("/me/avatar", requireAuth, async (c) => {
  await deleteAvatar(c.env, c.get("auth").userId);
  return c.body(null, 204);
});

avatarRoutes.get("/users/:id/avatar", async (c) => {
  const userId = c.req.param("id");
  // A replace may delete the object between reading the pointer and the
  // object: the second look finds the new pointer.
  for (let attempt = 0; attempt < 2 && isEntityId(userId); attempt++) {
    const version = await currentVersion(c.env, userId);
    if (!version) break;
    if (!(await mayFetch(c, userId, version))) break;
    const headers = cacheHeaders(version, c.req.query("v"));
    if (etagMatches(c.req.header("If-None-Match"), version)) return new Response(null, { status: 304, headers });
    const object = await c.env.AVATARS.get(avatarKey(userId, version));
    if (!object) continue;
    headers.set("Content-Type", object.httpMetadata?.contentType ?? "application/octet-stream");
    headers.set("Content-Length", String(object.size));
    return new Response(object.body, { headers });
  }
  throw new AppError("not_found", "this user has no picture");
});

/**
 * The picture follows the block. Without a token (an <img>) the request must
 * name the current version, in `v` or `If-None-Match`: only those allowed see
 * it, in User.avatar (auth/accounts.ts, safety/blocks-db.ts asSeenBy). With a
 * token, the bare URL serves whoever the owner did not block. A refusal is
 * the same 404 as "no picture", so it reveals nothing.
 */
async function mayFetch(c: Context<AppEnv>, owner: string, version: string): Promise<boolean> {
  const token = bearerToken(c.req.header("Authorization"));
  if (token !== undefined) {
    const viewer = (await authenticate(c.env, token)).userId;
    return viewer === owner || (await blockersOf(c.env, viewer, [owner])).size === 0;
  }
  // The version itself, named: `If-None-Match: *` names none (it would answer 304
  // with the version in its ETag, and `?v=` with that would serve the picture).
  return c.req.query("v") === version || etagMatches(c.req.header("If-None-Match"), version, false);
}

function cacheHeaders(version: string, requested: string | undefined): Headers {
  return new Headers({
    ETag: `"${version}"`,
    // The versioned URL (User.avatar) never changes content; the bare one
    // may, so browsers revalidate it (a cheap 304) before each use.
    "Cache-Control": requested === version ? "public, max-age=31536000, immutable" : "public, no-cache",
    // Served as an image, never sniffed into HTML or script.
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
  });
}

/** Whether If-None-Match names `version` (or, with `wildcard`, is `*`). */
function etagMatches(header: string | undefined, version: string, wildcard = true): boolean {
  if (!header) return false;
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return (wildcard && t === "*") || t.replace(/^W\//, "") === `"${version}"`;
  });
}
