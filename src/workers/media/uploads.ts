// Storing an upload: the owner's object reserves it (the daily allowance),
// then the bytes go to R2, then the object marks it whole. A refusal stores
// nothing; a failed write to R2 takes the reservation back; a crash between
// leaves a reservation no message can use, which the 24-hour sweep removes.

import { mediaQuota } from "../../objects/user/media-owner";
import { mediaKey } from "../../objects/user/media-store";
import { AppError, unwrap } from "../../shared/errors";
import { randomId } from "../../shared/ids";
import {
  MEDIA_FILE_MAX_BYTES,
  MEDIA_PART_BYTES,
  MEDIA_PHOTO_MAX_BYTES,
  MEDIA_SIMPLE_MAX_BYTES,
  MEDIA_VOICE_MAX_BYTES,
} from "../../shared/limits";
import type { MediaKind, MultipartState, UploadAnswer } from "../../shared/schemas/media";
import { readBytes } from "../avatars/read-bytes";
import { checkUpload } from "./sniff-media";

export const KIND_MAX: Record<MediaKind, number> = {
  photo: MEDIA_PHOTO_MAX_BYTES,
  voice: MEDIA_VOICE_MAX_BYTES,
  file: MEDIA_FILE_MAX_BYTES,
};

export function ownerStub(env: Env, userId: string) {
  return env.USERS.get(env.USERS.idFromName(userId));
}

function tooLarge(kind: MediaKind): AppError {
  return new AppError("too_large", `a ${kind} must be at most ${KIND_MAX[kind]} bytes`);
}

/** POST /api/media: one body, at most MEDIA_SIMPLE_MAX_BYTES. */
export async function uploadWhole(env: Env, userId: string, kind: MediaKind, request: Request): Promise<UploadAnswer> {
  const max = Math.min(KIND_MAX[kind], MEDIA_SIMPLE_MAX_BYTES);
  let bytes: Uint8Array;
  try {
    bytes = await readBytes(request, max);
  } catch (err) {
    if (err instanceof AppError && err.code === "too_large") {
      throw KIND_MAX[kind] > max
        ? new AppError("too_large", `over ${max} bytes: upload it in parts (POST /api/media/uploads)`)
        : tooLarge(kind);
    }
    throw err;
  }
  if (bytes.length === 0) throw new AppError("empty_file", "the file is empty (0 bytes)");
  const mime = checkUpload(bytes, kind, request.headers.get("Content-Type") ?? undefined);
  const id = `${userId}${randomId()}`;
  const owner = ownerStub(env, userId);
  unwrap(await owner.reserveMedia({ id, kind, mime, size: bytes.length, state: "uploading" }, mediaQuota(env)));
  try {
    await env.MEDIA.put(mediaKey(id), bytes, { httpMetadata: { contentType: mime } });
  } catch (err) {
    await owner.dropMedia(id).catch(() => undefined);
    throw err;
  }
  await owner.mediaStored(id);
  return { id, kind, mime, size: bytes.length };
}

// ---------------------------------------------------------------- in parts (R2 multipart)

export function partCount(size: number): number {
  return Math.max(1, Math.ceil(size / MEDIA_PART_BYTES));
}

function stateOf(id: string, kind: MediaKind, size: number, parts: Record<string, string>): MultipartState {
  const done = Object.keys(parts)
    .map(Number)
    .sort((a, b) => a - b);
  return { id, kind, size, partSize: MEDIA_PART_BYTES, parts: done };
}

/** POST /api/media/uploads: the whole size is said first, and checked against the kind's limit. */
export async function startParts(env: Env, userId: string, kind: MediaKind, size: number): Promise<MultipartState> {
  if (size > KIND_MAX[kind]) throw tooLarge(kind);
  const id = `${userId}${randomId()}`;
  const upload = await env.MEDIA.createMultipartUpload(mediaKey(id));
  const reserved = await ownerStub(env, userId).reserveMedia(
    {
      id,
      kind,
      mime: "application/octet-stream",
      size,
      state: "parts",
      uploadId: upload.uploadId,
    },
    mediaQuota(env),
  );
  if (!reserved.ok) await upload.abort().catch(() => undefined);
  unwrap(reserved);
  return stateOf(id, kind, size, {});
}

/** The caller's upload in progress, or unknown_media (another's id included). */
async function inProgress(env: Env, userId: string, id: string) {
  const record = id.startsWith(userId) ? await ownerStub(env, userId).mediaRecord(id) : null;
  if (record?.state !== "parts" || !record.uploadId) {
    throw new AppError("unknown_media", "no such upload in progress");
  }
  return { ...record, uploadId: record.uploadId };
}

/** GET /api/media/uploads/:id: which parts are there (to resume after a break). */
export async function partsState(env: Env, userId: string, id: string): Promise<MultipartState> {
  const record = await inProgress(env, userId, id);
  return stateOf(id, record.kind, record.size, record.parts);
}

/** PUT /api/media/uploads/:id/parts/:n: exactly the part's bytes; the first part is sniffed. */
export async function putPart(
  env: Env,
  userId: string,
  id: string,
  part: number,
  request: Request,
): Promise<MultipartState> {
  const record = await inProgress(env, userId, id);
  const count = partCount(record.size);
  if (!Number.isSafeInteger(part) || part < 1 || part > count) {
    throw new AppError("invalid_field", `part must be from 1 to ${count}`);
  }
  const expected = part < count ? MEDIA_PART_BYTES : record.size - (count - 1) * MEDIA_PART_BYTES;
  const bytes = await readBytes(request, expected);
  if (bytes.length === 0) throw new AppError("empty_file", "the part is empty (0 bytes)");
  if (bytes.length !== expected) throw new AppError("invalid_body", `part ${part} must be ${expected} bytes`);
  const mime = part === 1 ? checkUpload(bytes, record.kind, request.headers.get("Content-Type") ?? undefined) : null;
  // Videos have the photo's limit, as on WhatsApp, whatever kind they are sent as.
  if (mime?.startsWith("video/") && record.size > MEDIA_PHOTO_MAX_BYTES) {
    throw new AppError("too_large", `a video must be at most ${MEDIA_PHOTO_MAX_BYTES} bytes`);
  }
  const uploaded = await env.MEDIA.resumeMultipartUpload(mediaKey(id), record.uploadId).uploadPart(part, bytes);
  await ownerStub(env, userId).mediaPart(id, part, uploaded.etag, mime);
  return stateOf(id, record.kind, record.size, { ...record.parts, [String(part)]: uploaded.etag });
}

/**
 * DELETE /api/media/uploads/:id: the uploader gives up. The record goes first
 * (no part is taken after it, its bytes leave the allowance), then R2's parts;
 * if R2 fails or the process dies in between, the unsent-upload sweep aborts
 * it there later (user/media-owner.ts).
 */
export async function abandonParts(env: Env, userId: string, id: string): Promise<void> {
  const record = await inProgress(env, userId, id);
  await ownerStub(env, userId).abandonMedia(id);
  await env.MEDIA.resumeMultipartUpload(mediaKey(id), record.uploadId)
    .abort()
    .catch((err: unknown) => console.warn(JSON.stringify({ event: "multipart_abort_failed", error: String(err) })));
}

/** POST /api/media/uploads/:id/complete: every part there, then the object is whole. */
export async function completeParts(env: Env, userId: string, id: string): Promise<UploadAnswer> {
  const record = await inProgress(env, userId, id);
  const count = partCount(record.size);
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !record.parts[String(n)]);
  if (missing.length > 0) throw new AppError("invalid_body", `parts missing: ${missing.join(", ")}`);
  const parts = Array.from({ length: count }, (_, i) => ({
    partNumber: i + 1,
    etag: record.parts[String(i + 1)] ?? "",
  }));
  const upload = env.MEDIA.resumeMultipartUpload(mediaKey(id), record.uploadId);
  await upload.complete(parts);
  await ownerStub(env, userId).mediaStored(id);
  return { id, kind: record.kind, mime: record.mime, size: record.size };
}
