// Uploads and downloads of media in the page, with XHR for its progress
// events (./xhr.ts). What is downloaded becomes a blob: URL, kept per media
// id for the page's life, so no token ever stands in a URL.

import { MEDIA_PREVIEW_MAX, MEDIA_SIMPLE_MAX_BYTES } from "../../shared/limits";
import type { Media, MediaKind } from "../../shared/protocol";
import type { MultipartState, UploadAnswer } from "../../shared/schemas/media";
import { sendParts, startParts } from "./multipart";
import { type Progress, xhr } from "./xhr";

export type { Progress };

/** What a chosen file is sent as: a picture the server takes as a photo, else a file. */
export function kindOf(file: Blob): MediaKind {
  return /^image\/(png|jpeg|webp|gif)$/.test(file.type) ? "photo" : "file";
}

/**
 * Uploads `file`: in one body up to MEDIA_SIMPLE_MAX_BYTES, else in parts
 * (./multipart.ts); `onParts` hears of a multipart upload as soon as it has
 * an id, so the page can offer to resume it after a reload.
 */
export async function upload(
  token: string | undefined,
  file: Blob,
  kind: MediaKind,
  onProgress: Progress,
  onParts?: (state: MultipartState) => Promise<void>,
): Promise<UploadAnswer> {
  if (file.size <= MEDIA_SIMPLE_MAX_BYTES) {
    return xhr<UploadAnswer>({
      method: "POST",
      url: `/api/media?kind=${kind}`,
      token,
      body: file,
      onUpload: onProgress,
    });
  }
  const state = await startParts(token, kind, file.size);
  await onParts?.(state);
  return sendParts(token, file, state, onProgress);
}

const downloaded = new Map<string, string>();

/** The media's bytes as a blob: URL (once per id and page). */
export async function download(token: string | undefined, id: string, onProgress: Progress): Promise<string> {
  const known = downloaded.get(id);
  if (known) return known;
  const blob = await xhr({ method: "GET", url: `/api/media/${id}`, token, blob: true, onDownload: onProgress });
  const url = URL.createObjectURL(blob);
  downloaded.set(id, url);
  return url;
}

/** What this page uploaded is already here: its own bytes stand for the download. */
export function remember(id: string, file: Blob): void {
  if (!downloaded.has(id)) downloaded.set(id, URL.createObjectURL(file));
}

export function downloadedUrl(id: string): string | undefined {
  return downloaded.get(id);
}

/** A photo's size and a tiny preview (a data: URL of at most MEDIA_PREVIEW_MAX characters), made here. */
export async function photoFacts(file: Blob): Promise<Pick<Media, "width" | "height" | "preview">> {
  try {
    const bitmap = await createImageBitmap(file);
    const { width, height } = bitmap;
    const scale = 32 / Math.max(width, height, 1);
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    canvas.getContext("2d")?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const preview = canvas.toDataURL("image/jpeg", 0.6);
    return preview.length <= MEDIA_PREVIEW_MAX ? { width, height, preview } : { width, height };
  } catch {
    return {};
  }
}

/** "1.5 MB" */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** "0:07" */
export function durationText(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
