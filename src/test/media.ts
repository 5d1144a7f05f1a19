// Helpers for media tests in the Workers runtime: uploads through the real
// Worker, and what the uploader's object and R2 hold afterwards.

import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { UploadAnswer } from "../shared/schemas/media";
import { BASE, userStub } from "./helpers";

export function uploadMedia(
  token: string,
  kind: string,
  body: BodyInit,
  headers: Record<string, string> = {},
): Promise<Response> {
  const all = new Headers(headers);
  all.set("Authorization", `Bearer ${token}`);
  return exports.default.fetch(new Request(`${BASE}/api/media?kind=${kind}`, { method: "POST", headers: all, body }));
}

export async function uploaded(token: string, kind: string, body: Uint8Array): Promise<UploadAnswer> {
  const res = await uploadMedia(token, kind, body);
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return res.json();
}

export function fetchMedia(token: string, id: string): Promise<Response> {
  return exports.default.fetch(
    new Request(`${BASE}/api/media/${id}`, { headers: { Authorization: `Bearer ${token}` } }),
  );
}

/** The keys R2 holds for a user's uploads. */
export async function storedMedia(userId: string): Promise<string[]> {
  return (await env.MEDIA.list({ prefix: `media/${userId}/` })).objects.map((o) => o.key);
}

/** The user's media rows: uploads and grants (chats that may read a media, whatever their count of messages). */
export async function mediaRows(userId: string): Promise<{ media: number; grants: number }> {
  return runInDurableObject(userStub(userId), (_, state) => ({
    media: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM media").one().n,
    grants: state.storage.sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM (SELECT DISTINCT media, chat FROM media_refs)")
      .one().n,
  }));
}

/** Bytes that sniff as nothing in particular (a document). */
export function binary(size: number, seed = 7): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff || 1;
  bytes[0] = 0;
  return bytes;
}

/** The start of a WebM file (EBML header), as MediaRecorder makes. */
export const WEBM = Uint8Array.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01]);
