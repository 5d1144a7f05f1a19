// Photos, files and voice notes (docs/protocol.md, "Media"):
//   POST /api/media?kind=photo|file|voice        one body up to 16 MiB
//   POST /api/media/uploads {kind, size}         a multipart upload (documents up to 100 MiB)
//   GET  /api/media/uploads/:id                  its parts so far (resume)
//   PUT  /api/media/uploads/:id/parts/:n         one part
//   DELETE /api/media/uploads/:id                give one up (its bytes leave the allowance)
//   POST /api/media/uploads/:id/complete
//   GET  /api/media/:id                          the bytes, for the uploader and the chats it was sent to
// Every route takes the token in the Authorization header only: the page
// downloads with XHR (its progress bar) into a blob: URL, so no token ever
// stands in a URL, a log line or a Referer.

import { Hono } from "hono";
import * as v from "valibot";
import { mediaKey } from "../../objects/user/media-store";
import { AppError, unwrap } from "../../shared/errors";
import { parseBody } from "../../shared/schemas/bodies";
import { MEDIA_ID_PATTERN, MEDIA_KINDS, multipartStartBody } from "../../shared/schemas/media";
import type { AppEnv } from "../app-env";
import { requireAuth } from "../auth/middleware";
import { readJson } from "../http";
import { abandonParts, completeParts, ownerStub, partsState, putPart, startParts, uploadWhole } from "./uploads";

export const mediaRoutes = new Hono<AppEnv>();

mediaRoutes.use(requireAuth);

const kindOf = (value: string | undefined) => {
  const parsed = v.safeParse(v.picklist(MEDIA_KINDS), value);
  if (!parsed.success) throw new AppError("invalid_field", "kind must be one of photo, file, voice");
  return parsed.output;
};

mediaRoutes.post("/", async (c) => {
  const answer = await uploadWhole(c.env, c.get("auth").userId, kindOf(c.req.query("kind")), c.req.raw);
  return c.json(answer, 201);
});

mediaRoutes.post("/uploads", async (c) => {
  const body = parseBody(multipartStartBody, await readJson(c));
  return c.json(await startParts(c.env, c.get("auth").userId, body.kind, body.size), 201);
});

mediaRoutes.get("/uploads/:id", async (c) => c.json(await partsState(c.env, c.get("auth").userId, c.req.param("id"))));

mediaRoutes.put("/uploads/:id/parts/:n", async (c) => {
  const state = await putPart(c.env, c.get("auth").userId, c.req.param("id"), Number(c.req.param("n")), c.req.raw);
  return c.json(state);
});

mediaRoutes.delete("/uploads/:id", async (c) => {
  await abandonParts(c.env, c.get("auth").userId, c.req.param("id"));
  return c.body(null, 204);
});

mediaRoutes.post("/uploads/:id/complete", async (c) =>
  c.json(await completeParts(c.env, c.get("auth").userId, c.req.param("id")), 201),
);

mediaRoutes.get("/:id", async (c) => {
  const id = c.req.param("id");
  if (!MEDIA_ID_PATTERN.test(id)) throw new AppError("unknown_media", "no such media, or not in a chat of yours");
  const record = unwrap(await ownerStub(c.env, id.slice(0, 16)).mayReadMedia(id, c.get("auth").userId));
  const headers = new Headers({
    ETag: `"${id}"`,
    // The bytes of an id never change; only this user's browser keeps them.
    "Cache-Control": "private, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
  });
  if (c.req.header("If-None-Match")?.includes(`"${id}"`)) return new Response(null, { status: 304, headers });
  const object = await c.env.MEDIA.get(mediaKey(id));
  if (!object) throw new AppError("unknown_media", "no such media, or not in a chat of yours");
  headers.set("Content-Type", record.mime);
  headers.set("Content-Length", String(object.size));
  // Only pictures and sound are shown in the page; anything else is a download.
  if (!/^(image|audio)\//.test(record.mime)) headers.set("Content-Disposition", "attachment");
  return new Response(object.body, { headers });
});
