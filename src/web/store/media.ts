// Uploads and downloads of media in the page, with XHR for its progress
// events (fetch reports none for uploads). Every request carries the token in
// the Authorization header; what is downloaded becomes a blob: URL, kept per
// media id for the page's life, so no token ever stands in a URL.

import { MEDIA_PREVIEW_MAX, MEDIA_SIMPLE_MAX_BYTES } from "../../shared/limits";
import type { Media, MediaKind } from "../../shared/protocol";
import type { MultipartState, UploadAnswer } from "../../shared/schemas/media";

export type Progress = (loaded: number, total: number) => void;

interface Request {
  method: string;
  url: string;
  token: string | undefined;
  body?: Blob | string;
  json?: boolean;
  onUpload?: Progress;
  onDownload?: Progress;
}

/** One XHR; rejects with the server's error message (or a network error). */
function xhr<T>(r: Request & { blob?: false }): Promise<T>;
function xhr(r: Request & { blob: true }): Promise<Blob>;
function xhr(r: Request & { blob?: boolean }): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = new XMLHttpRequest();
    req.open(r.method, r.url);
    if (r.token) req.setRequestHeader("Authorization", `Bearer ${r.token}`);
    if (r.json) req.setRequestHeader("Content-Type", "application/json");
    req.responseType = r.blob ? "blob" : "text";
    if (r.onUpload) {
      const on = r.onUpload;
      req.upload.onprogress = (e) => on(e.loaded, e.total);
    }
    if (r.onDownload) {
      const on = r.onDownload;
      req.onprogress = (e) => on(e.loaded, e.lengthComputable ? e.total : 0);
    }
    req.onerror = () => reject(new Error("the network failed; try again"));
    req.onload = async () => {
      if (req.status >= 200 && req.status < 300) {
        resolve(r.blob ? req.response : req.responseText ? JSON.parse(req.responseText) : undefined);
        return;
      }
      const text = r.blob ? await (req.response as Blob).text() : req.responseText;
      try {
        reject(new Error((JSON.parse(text) as { error: { message: string } }).error.message));
      } catch {
        reject(new Error(`the server answered ${req.status}`));
      }
    };
    req.send(r.body ?? null);
  });
}

/** What a chosen file is sent as: a picture the server takes as a photo, else a file. */
export function kindOf(file: Blob): MediaKind {
  return /^image\/(png|jpeg|webp|gif)$/.test(file.type) ? "photo" : "file";
}

/**
 * Uploads `file`: in one body up to MEDIA_SIMPLE_MAX_BYTES, else in parts;
 * a part that fails is sent again once, after asking which parts arrived.
 */
export async function upload(token: string | undefined, file: Blob, kind: MediaKind, onProgress: Progress) {
  if (file.size <= MEDIA_SIMPLE_MAX_BYTES) {
    return xhr<UploadAnswer>({
      method: "POST",
      url: `/api/media?kind=${kind}`,
      token,
      body: file,
      onUpload: onProgress,
    });
  }
  const start = await xhr<MultipartState>({
    method: "POST",
    url: "/api/media/uploads",
    token,
    json: true,
    body: JSON.stringify({ kind, size: file.size }),
  });
  const count = Math.ceil(file.size / start.partSize);
  const base = `/api/media/uploads/${start.id}`;
  let done = new Set(start.parts);
  for (let part = 1; part <= count; part++) {
    if (done.has(part)) continue;
    const from = (part - 1) * start.partSize;
    const body = file.slice(from, Math.min(file.size, from + start.partSize));
    const put = () =>
      xhr({
        method: "PUT",
        url: `${base}/parts/${part}`,
        token,
        body,
        onUpload: (n) => onProgress(from + n, file.size),
      });
    try {
      await put();
    } catch {
      done = new Set((await xhr<MultipartState>({ method: "GET", url: base, token })).parts);
      if (!done.has(part)) await put();
    }
  }
  return xhr<UploadAnswer>({ method: "POST", url: `${base}/complete`, token });
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
