// A page's bytes (archive-codec.ts): what is written reads back the same, and
// anything else is an ArchivePageError naming why, never another error.

import { describe, expect, it } from "vitest";
import { ArchivePageError, decodePage, encodePage } from "./archive-codec";

const rows = [1, 2, 3].map((pos) => ({ pos, id: `id${pos}`, text: `t${pos} é 😀` }));
const header = { first: 1, last: 3 };

async function reason(bytes: Uint8Array, expected: Partial<Parameters<typeof decodePage>[2]> = {}): Promise<string> {
  const err = await decodePage("k", bytes, { ...header, sha256: null, positionColumn: "pos", ...expected }).catch(
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ArchivePageError);
  return (err as ArchivePageError).reason;
}

describe("archive pages", () => {
  it("read back what was written, and are gzip", async () => {
    const page = await encodePage(header, rows);
    expect([page.bytes[0], page.bytes[1]]).toEqual([0x1f, 0x8b]);
    const back = await decodePage("k", page.bytes, { ...header, sha256: page.sha256, positionColumn: "pos" });
    expect(back).toEqual(rows);
  });

  it("refuse other bytes, another range, missing or misplaced rows", async () => {
    const page = await encodePage(header, rows);
    expect(await reason(page.bytes, { sha256: "0".repeat(64) })).toBe("checksum mismatch");
    expect(await reason(page.bytes.slice(0, 10))).toMatch(/not a gzip JSON page/);
    expect(await reason(new TextEncoder().encode("plain"))).toMatch(/not a gzip JSON page/);
    expect(await reason(page.bytes, { last: 4 })).toBe("header does not match the index");
    const short = await encodePage({ first: 1, last: 3 }, rows.slice(0, 2));
    expect(await reason(short.bytes)).toBe("rows missing");
    const swapped = await encodePage(header, [rows[0], rows[2], rows[1]]);
    expect(await reason(swapped.bytes)).toBe("row 1 is not position 2");
  });
});
