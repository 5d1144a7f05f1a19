// Media on the wire (docs/protocol.md, "Media"): what a message refers to
// once its bytes are uploaded (POST /api/media), and the upload's answer.
// The server keeps the kind, type and size it sniffed and counted; the page
// adds what only it can know cheaply (name, pixel size, duration, a preview).

import * as v from "valibot";
import {
  MEDIA_DIMENSION_MAX,
  MEDIA_DURATION_MAX_MS,
  MEDIA_FILE_MAX_BYTES,
  MEDIA_NAME_MAX,
  MEDIA_PREVIEW_MAX,
} from "../limits";
import { says } from "./check";
import { count, name } from "./fields";

export const MEDIA_KINDS = ["photo", "file", "voice"] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

/** 32 characters: the uploader's user id, then 16 random ones (so the owner is known without a lookup). */
export const MEDIA_ID_PATTERN = /^[0-9a-z]{32}$/;

export const mediaId = v.pipe(
  v.string(says("unknown_media", "no such media")),
  v.regex(MEDIA_ID_PATTERN, says("unknown_media", "no such media")),
  v.description("a media id, from POST /api/media"),
);

const pixels = v.pipe(count, v.minValue(1), v.maxValue(MEDIA_DIMENSION_MAX));
/** A small picture as a data: URL (JPEG, PNG or WebP, base64): never anything a page could run. */
const PREVIEW = /^data:image\/(jpeg|png|webp);base64,[A-Za-z0-9+/]+={0,2}$/;

export const mediaSchema = v.object({
  id: mediaId,
  kind: v.picklist(MEDIA_KINDS),
  mime: v.pipe(v.string(), v.maxLength(100), v.description("the type the server sniffed from the bytes")),
  size: v.pipe(count, v.minValue(1), v.maxValue(MEDIA_FILE_MAX_BYTES), v.description("bytes")),
  name: v.optional(name("name", 1, MEDIA_NAME_MAX)),
  width: v.optional(pixels),
  height: v.optional(pixels),
  duration: v.optional(v.pipe(count, v.maxValue(MEDIA_DURATION_MAX_MS), v.description("a voice note's length, ms"))),
  preview: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(MEDIA_PREVIEW_MAX, says("invalid_media", `preview must be at most ${MEDIA_PREVIEW_MAX} characters`)),
      v.regex(PREVIEW, says("invalid_media", "preview must be a data:image/jpeg, png or webp base64 URL")),
      v.description("a small picture as a data: URL, made by the sender's browser"),
    ),
  ),
});

export type Media = v.InferOutput<typeof mediaSchema>;

/** POST /api/media and the multipart completion: the upload, as a message will refer to it. */
export const uploadAnswer = v.object({
  id: mediaId,
  kind: v.picklist(MEDIA_KINDS),
  mime: v.string(),
  size: count,
});
export type UploadAnswer = v.InferOutput<typeof uploadAnswer>;

/** POST /api/media/uploads: a multipart upload's start. */
export const multipartStartBody = v.object({
  kind: v.picklist(MEDIA_KINDS),
  size: v.pipe(count, v.minValue(1), v.description("the whole file's bytes")),
});

/** The answer of the start and of GET /api/media/uploads/:id: what is there, to resume. */
export const multipartStateAnswer = v.object({
  id: mediaId,
  kind: v.picklist(MEDIA_KINDS),
  size: count,
  partSize: v.pipe(count, v.description("every part but the last is this many bytes")),
  parts: v.pipe(v.array(v.number()), v.description("part numbers (from 1) already uploaded")),
});
export type MultipartState = v.InferOutput<typeof multipartStateAnswer>;

/** POST /api/media's query: what the upload is for (it decides the limit and the check on the bytes). */
export const mediaUploadQuery = v.object({ kind: v.picklist(MEDIA_KINDS) });
