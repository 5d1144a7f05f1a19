// A group's name, description and picture: PATCH /api/groups/:id and
// PUT/DELETE /api/groups/:id/picture (admins), GET /api/groups/:id/picture
// (members with a token; without one, only at the versioned URL that the
// group answer gives its members, so an <img> can show it). The group object
// decides who may (group/settings.ts) and writes the system entry.

import { type Context, Hono } from "hono";
import { AppError, unwrap } from "../../shared/errors";
import { randomId } from "../../shared/ids";
import { AVATAR_MAX_BYTES } from "../../shared/limits";
import { isEntityId, parsePatchGroupBody } from "../../shared/protocol";
import type { AppEnv } from "../app-env";
import { authenticate, bearerToken, requireAuth } from "../auth/middleware";
import { readBytes } from "../avatars/read-bytes";
import { sniffImage } from "../avatars/sniff";
import { readJson } from "../http";
import { withNames } from "./people";
import { cleanUpPictures, groupPictureKey } from "./pictures";
import { groupId, groupObject } from "./routes";

// Mounted at /api/groups before groupRoutes, whose auth middleware would ask
// the versioned picture URL for a token.
export const groupSettingRoutes = new Hono<AppEnv>();

groupSettingRoutes.patch("/:id", requireAuth, async (c) => {
  const stub = groupObject(c.env, groupId(c.req.param("id")));
  const patch = parsePatchGroupBody(await readJson(c));
  const group = unwrap(await stub.patch(c.get("auth").userId, patch));
  return c.json(await withNames(c.env, group));
});

groupSettingRoutes.put("/:id/picture", requireAuth, async (c) => {
  const id = groupId(c.req.param("id"));
  const stub = groupObject(c.env, id);
  const by = c.get("auth").userId;
  // Who may, before any byte is read or stored.
  unwrap(await stub.mayChange(by));
  const bytes = await readBytes(c.req.raw, AVATAR_MAX_BYTES);
  if (bytes.length === 0) throw new AppError("invalid_body", "send the picture's bytes as the body");
  const type = sniffImage(bytes);
  if (!type) throw new AppError("unsupported_media", "the picture must be a PNG, JPEG or WebP image");
  const version = randomId();
  const key = groupPictureKey(id, version);
  await c.env.AVATARS.put(key, bytes, { httpMetadata: { contentType: type } });
  const answer = await stub.setPicture(by, version).catch(async (err: unknown) => {
    await c.env.AVATARS.delete(key).catch(() => undefined);
    throw err;
  });
  if (!answer.ok) await c.env.AVATARS.delete(key).catch(() => undefined);
  const { group, previous } = unwrap(answer);
  await cleanUpPictures(c.env.AVATARS, id, previous, version);
  return c.json(await withNames(c.env, group));
});

groupSettingRoutes.delete("/:id/picture", requireAuth, async (c) => {
  const id = groupId(c.req.param("id"));
  const { group, previous } = unwrap(await groupObject(c.env, id).setPicture(c.get("auth").userId, null));
  await cleanUpPictures(c.env.AVATARS, id, previous, null);
  return c.json(await withNames(c.env, group));
});

groupSettingRoutes.get("/:id/picture", async (c) => {
  const id = c.req.param("id");
  const token = bearerToken(c.req.header("Authorization"));
  const requested = c.req.query("v");
  if (token === undefined && requested === undefined) throw new AppError("unauthorized", "sign in to see this picture");
  // A replace may delete the object between reading the pointer and the object: the second look finds the new one.
  for (let attempt = 0; attempt < 2; attempt++) {
    const version = await currentVersion(c, id, token);
    if (!version || (token === undefined && requested !== version)) break;
    const headers = pictureHeaders(version, requested, token !== undefined);
    if (c.req.header("If-None-Match") === `"${version}"`) return new Response(null, { status: 304, headers });
    const object = await c.env.AVATARS.get(groupPictureKey(id, version));
    if (!object) continue;
    headers.set("Content-Type", object.httpMetadata?.contentType ?? "application/octet-stream");
    headers.set("Content-Length", String(object.size));
    return new Response(object.body, { headers });
  }
  throw new AppError("not_found", "this group has no picture");
});

/**
 * With a token: the members' view (not_member, unknown_group as GET /api/groups/:id).
 * Without: the version, for comparing with the URL's; an unknown group has none.
 */
async function currentVersion(c: Context<AppEnv>, id: string, token: string | undefined): Promise<string | null> {
  if (token === undefined) {
    if (!isEntityId(id)) return null;
    const answer = await groupObject(c.env, id).picture(null);
    return answer.ok ? answer.value : null;
  }
  const viewer = (await authenticate(c.env, token)).userId;
  return unwrap(await groupObject(c.env, groupId(id)).picture(viewer));
}

function pictureHeaders(version: string, requested: string | undefined, withToken: boolean): Headers {
  const immutable = requested === version;
  return new Headers({
    ETag: `"${version}"`,
    // The versioned URL never changes content; the bare one (members, with a token) may.
    "Cache-Control": immutable ? "public, max-age=31536000, immutable" : withToken ? "private, no-cache" : "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
  });
}
