// What an upload really is, from its first bytes: the type it is stored and
// served as, and whether it may be the kind of message it is uploaded for.
// A header or a file name never decides (docs/security.md, Defences, "uploads that lie").

import { AppError } from "../../shared/errors";
import type { MediaKind } from "../../shared/schemas/media";
import { sniffImage } from "../avatars/sniff";

function ascii(bytes: Uint8Array, at: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** The type the bytes begin with; application/octet-stream when nothing is recognised. */
export function sniffType(bytes: Uint8Array, kind: MediaKind): string {
  const image = sniffImage(bytes);
  if (image) return image;
  if (bytes.length >= 6 && (ascii(bytes, 0, "GIF87a") || ascii(bytes, 0, "GIF89a"))) return "image/gif";
  // WebM / Matroska (EBML): what MediaRecorder makes in Chromium and Firefox.
  if (bytes.length >= 4 && bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) {
    return kind === "voice" ? "audio/webm" : "video/webm";
  }
  if (bytes.length >= 4 && ascii(bytes, 0, "OggS")) return "audio/ogg";
  if (bytes.length >= 12 && ascii(bytes, 0, "RIFF") && ascii(bytes, 8, "WAVE")) return "audio/wav";
  // MP4 family: the ftyp box; M4A is audio (Safari's MediaRecorder).
  if (bytes.length >= 12 && ascii(bytes, 4, "ftyp")) return ascii(bytes, 8, "M4A") ? "audio/mp4" : "video/mp4";
  if (bytes.length >= 3 && (ascii(bytes, 0, "ID3") || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0))) {
    return "audio/mpeg";
  }
  if (bytes.length >= 5 && ascii(bytes, 0, "%PDF-")) return "application/pdf";
  if (bytes.length >= 4 && ascii(bytes, 0, "PK\u0003\u0004")) return "application/zip";
  if (isText(bytes)) return "text/plain";
  return "application/octet-stream";
}

/** UTF-8 text without control characters other than tab and line breaks (first 4 KiB). */
function isText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 4096);
  for (const b of head) if (b < 0x09 || (b > 0x0d && b < 0x20) || b === 0x7f) return false;
  try {
    new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      head.length < bytes.length ? trimUtf8(head) : head,
    );
    return true;
  } catch {
    return false;
  }
}

/** Drops a character cut in half at the end of a prefix. */
function trimUtf8(head: Uint8Array): Uint8Array {
  let end = head.length;
  while (end > 0 && end > head.length - 4 && ((head[end - 1] ?? 0) & 0xc0) === 0x80) end--;
  if (end > 0 && (head[end - 1] ?? 0) >= 0xc0) end--;
  return head.subarray(0, end);
}

const FAMILY = (mime: string) => (mime.startsWith("audio/") || mime.startsWith("video/") ? "av" : mime.split("/")[0]);

/**
 * The stored type of an upload of `kind`, or unsupported_media: a photo must
 * be a picture, a voice note audio; and a declared type (Content-Type) must
 * not lie about the bytes (image/png on a text file).
 */
export function checkUpload(bytes: Uint8Array, kind: MediaKind, declared: string | undefined): string {
  const mime = sniffType(bytes, kind);
  if (kind === "photo" && !mime.startsWith("image/")) {
    throw new AppError("unsupported_media", "a photo must be a PNG, JPEG, WebP or GIF picture");
  }
  if (kind === "voice" && !mime.startsWith("audio/")) {
    throw new AppError("unsupported_media", "a voice note must be WebM, Ogg, MP4, MP3 or WAV audio");
  }
  const claimed = (declared ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const checked = claimed.startsWith("image/") || claimed.startsWith("audio/") || claimed.startsWith("video/");
  if ((checked || claimed === "application/pdf") && FAMILY(claimed) !== FAMILY(mime)) {
    throw new AppError("unsupported_media", `the bytes are not the ${claimed} they claim to be`);
  }
  if (claimed === "application/pdf" && mime !== claimed) {
    throw new AppError("unsupported_media", "the bytes are not the application/pdf they claim to be");
  }
  return mime;
}

/** The most bytes an upload of `kind` may have. */
export function maxBytes(kind: MediaKind, limits: { photo: number; voice: number; file: number }): number {
  return limits[kind];
}
