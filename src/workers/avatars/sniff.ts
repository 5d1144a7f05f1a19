// What an uploaded picture really is, from its first bytes (the format's
// signature), never from the Content-Type or a file name: a text file named
// .png or sent as image/png is not a PNG.

export type ImageType = "image/png" | "image/jpeg" | "image/webp";

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, signature: readonly number[], at = 0): boolean {
  return signature.every((byte, i) => bytes[at + i] === byte);
}

function ascii(bytes: Uint8Array, at: number, text: string): boolean {
  return startsWith(
    bytes,
    [...text].map((ch) => ch.charCodeAt(0)),
    at,
  );
}

/** The image type the bytes begin with, or null if they are none of ours. */
export function sniffImage(bytes: Uint8Array): ImageType | null {
  // PNG: the 8-byte signature, then the IHDR chunk, which must come first.
  if (bytes.length >= 16 && startsWith(bytes, PNG) && ascii(bytes, 12, "IHDR")) return "image/png";
  // JPEG: start of image (FF D8), then the first marker (FF xx).
  if (bytes.length >= 4 && startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  // WebP: a RIFF container of form WEBP whose first chunk is VP8, VP8L or VP8X.
  if (bytes.length >= 16 && ascii(bytes, 0, "RIFF") && ascii(bytes, 8, "WEBPVP8")) {
    const kind = String.fromCharCode(bytes[15] ?? 0);
    if (kind === " " || kind === "L" || kind === "X") return "image/webp";
  }
  return null;
}
