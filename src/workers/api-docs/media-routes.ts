// The routes of media (docs/protocol.md, "Media") in the route table (./route-table.ts).

import * as v from "valibot";
import {
  mediaId,
  mediaUploadQuery,
  multipartStartBody,
  multipartStateAnswer,
  uploadAnswer,
} from "../../shared/schemas/media";
import { type RouteDoc, r } from "./route-doc";

const uploaded = { description: "stored: refer to it in a send frame's media", body: uploadAnswer };
const id = v.pipe(mediaId, v.description("a media id"));

export const MEDIA_ROUTES: RouteDoc[] = [
  r(
    "post",
    "/api/media",
    "Upload a photo, file or voice note (up to 16 MiB in one body)",
    "media",
    true,
    { 201: uploaded },
    {
      query: mediaUploadQuery,
      rawBody: ["application/octet-stream", "image/*", "audio/*"],
      errors: {
        400: "empty_file, invalid_field",
        413: "too_large",
        415: "unsupported_media (not a picture, not audio, or not the type it claims)",
        429: "quota_exceeded",
      },
    },
  ),
  r(
    "post",
    "/api/media/uploads",
    "Start an upload in parts (files up to 100 MiB)",
    "media",
    true,
    { 201: { description: "the upload, no part yet", body: multipartStateAnswer } },
    {
      body: multipartStartBody,
      errors: { 400: "invalid_field, invalid_body", 413: "too_large", 429: "quota_exceeded" },
    },
  ),
  r(
    "get",
    "/api/media/uploads/{id}",
    "The parts uploaded so far (to resume)",
    "media",
    true,
    { 200: { description: "the upload", body: multipartStateAnswer } },
    { params: { id }, errors: { 404: "unknown_media" } },
  ),
  r(
    "put",
    "/api/media/uploads/{id}/parts/{n}",
    "Upload one part (every part but the last exactly partSize bytes)",
    "media",
    true,
    { 200: { description: "the upload with this part", body: multipartStateAnswer } },
    {
      params: { id, n: v.pipe(v.string(), v.description("the part's number, from 1")) },
      rawBody: ["application/octet-stream"],
      errors: {
        400: "empty_file, invalid_body, invalid_field",
        404: "unknown_media",
        413: "too_large",
        415: "unsupported_media",
      },
    },
  ),
  r(
    "delete",
    "/api/media/uploads/{id}",
    "Give up an upload in parts: no more parts are taken, its bytes leave the day's allowance",
    "media",
    true,
    { 204: { description: "given up" } },
    { params: { id }, errors: { 404: "unknown_media (none in progress, or another's)" } },
  ),
  r(
    "post",
    "/api/media/uploads/{id}/complete",
    "Finish an upload in parts",
    "media",
    true,
    { 201: uploaded },
    { params: { id }, errors: { 400: "invalid_body (parts missing)", 404: "unknown_media" } },
  ),
  r(
    "get",
    "/api/media/{id}",
    "The bytes, for its uploader and the members of a chat it was sent to",
    "media",
    true,
    {
      200: { description: "the bytes, as the type sniffed at upload", media: "*/*" },
      304: { description: "not modified" },
    },
    { params: { id }, errors: { 404: "unknown_media (none, or not in a chat of yours)" } },
  ),
];
