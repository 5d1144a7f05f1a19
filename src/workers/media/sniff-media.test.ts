import { describe, expect, it } from "vitest";
import { AppError } from "../../shared/errors";
import { JPEG, PNG, TEXT_AS_PNG, WEBP } from "../../test/images";
import { WEBM } from "../../test/media";
import { checkUpload, sniffType } from "./sniff-media";

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...p].map((ch) => ch.charCodeAt(0)) : p)));

describe("sniffType", () => {
  it.each([
    ["PNG", PNG, "file", "image/png"],
    ["JPEG", JPEG, "file", "image/jpeg"],
    ["WebP", WEBP, "file", "image/webp"],
    ["GIF", bytes("GIF89a", [1, 0, 1, 0]), "file", "image/gif"],
    ["WebM as a voice note", WEBM, "voice", "audio/webm"],
    ["WebM as a file", WEBM, "file", "video/webm"],
    ["Ogg", bytes("OggS", [0, 2]), "voice", "audio/ogg"],
    ["WAV", bytes("RIFF", [0, 0, 0, 0], "WAVEfmt "), "voice", "audio/wav"],
    ["M4A", bytes([0, 0, 0, 24], "ftypM4A ", [0, 0]), "voice", "audio/mp4"],
    ["MP4", bytes([0, 0, 0, 24], "ftypisom", [0, 0]), "file", "video/mp4"],
    ["MP3 with ID3", bytes("ID3", [4, 0]), "voice", "audio/mpeg"],
    ["PDF", bytes("%PDF-1.7\n"), "file", "application/pdf"],
    ["ZIP", bytes("PK", [3, 4, 20, 0]), "file", "application/zip"],
    ["UTF-8 text", new TextEncoder().encode("héllo\tworld\n"), "file", "text/plain"],
    ["binary", bytes([0, 1, 2, 3, 250]), "file", "application/octet-stream"],
    ["HTML (text, never served as a page)", bytes("<!doctype html><script>x</script>"), "file", "text/plain"],
  ])("%s", (_, input, kind, type) => {
    expect(sniffType(input, kind as "file" | "voice")).toBe(type);
  });
});

describe("checkUpload", () => {
  const code = (run: () => unknown) => {
    try {
      run();
      return "ok";
    } catch (err) {
      return err instanceof AppError ? err.code : String(err);
    }
  };

  it("takes a photo that is a picture, a voice note that is audio, a file of anything", () => {
    expect(checkUpload(PNG, "photo", "image/png")).toBe("image/png");
    expect(checkUpload(WEBM, "voice", "audio/webm;codecs=opus")).toBe("audio/webm");
    expect(checkUpload(TEXT_AS_PNG, "file", "text/plain")).toBe("text/plain");
    expect(checkUpload(PNG, "file", undefined)).toBe("image/png");
    // A JPEG declared as PNG is still a picture: the bytes decide its type.
    expect(checkUpload(JPEG, "photo", "image/png")).toBe("image/jpeg");
  });

  it("refuses what is not what its kind or its declared type says", () => {
    expect(code(() => checkUpload(TEXT_AS_PNG, "photo", undefined))).toBe("unsupported_media");
    expect(code(() => checkUpload(PNG, "voice", "audio/webm"))).toBe("unsupported_media");
    expect(code(() => checkUpload(TEXT_AS_PNG, "file", "image/png"))).toBe("unsupported_media");
    expect(code(() => checkUpload(PNG, "file", "application/pdf"))).toBe("unsupported_media");
    expect(code(() => checkUpload(WEBM, "file", "image/webp"))).toBe("unsupported_media");
  });
});
