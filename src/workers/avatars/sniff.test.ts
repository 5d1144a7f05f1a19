import { describe, expect, it } from "vitest";
import { JPEG, PNG, TEXT_AS_PNG, WEBP } from "../../test/images";
import { sniffImage } from "./sniff";

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...p].map((ch) => ch.charCodeAt(0)) : p)));

describe("sniffImage", () => {
  it("recognises real PNG, JPEG and WebP pictures", () => {
    expect(sniffImage(PNG)).toBe("image/png");
    expect(sniffImage(JPEG)).toBe("image/jpeg");
    expect(sniffImage(WEBP)).toBe("image/webp");
    expect(sniffImage(bytes("RIFF", [0, 0, 0, 0], "WEBPVP8L", [0]))).toBe("image/webp");
  });

  it.each([
    ["text", TEXT_AS_PNG],
    ["nothing", new Uint8Array(0)],
    ["GIF", bytes("GIF89a", [1, 0, 1, 0, 0, 0, 0, 0, 0, 0])],
    ["SVG", bytes('<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ["HTML", bytes("<!doctype html><script>alert(1)</script>")],
    ["a PNG signature alone", PNG.slice(0, 8)],
    ["a PNG signature without IHDR", bytes([0x89], "PNG", [0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], "tEXt")],
    ["a JPEG start cut short", Uint8Array.from([0xff, 0xd8])],
    ["RIFF audio", bytes("RIFF", [0, 0, 0, 0], "WAVEfmt ")],
    ["RIFF WEBP with an unknown chunk", bytes("RIFF", [0, 0, 0, 0], "WEBPVP8Q")],
  ])("refuses %s", (_, input) => {
    expect(sniffImage(input)).toBeNull();
  });
});
