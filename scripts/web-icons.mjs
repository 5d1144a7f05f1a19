// Draws the web app icons (src/web/public/icon-192.png, icon-512.png): a white
// speech bubble on the page's green. Run once with `node scripts/web-icons.mjs`; the PNGs are committed.

import { writeFileSync } from "node:fs";
import { crc32, deflateSync } from "node:zlib";

function chunk(type, data) {
  const l = Buffer.alloc(4);
  l.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc32(body));
  return Buffer.concat([l, body, c]);
}
function png(size) {
  const h = Buffer.alloc(13);
  h.writeUInt32BE(size, 0);
  h.writeUInt32BE(size, 4);
  h.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc(size * (1 + size * 3));
  const c = size / 2;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const dx = x - c,
        dy = y - c * 0.95;
      const r = Math.hypot(dx, dy);
      // a white speech bubble on green: a disc with a small tail bottom-left
      const tail =
        x > size * 0.22 && x < size * 0.42 && y > size * 0.62 && y < size * 0.8 && y - size * 0.62 < size * 0.42 - x;
      const inBubble = r < size * 0.3 || tail;
      const px = inBubble ? [255, 255, 255] : [0, 128, 105];
      rows.set(px, y * (1 + size * 3) + 1 + x * 3);
    }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", h),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
writeFileSync("src/web/public/icon-192.png", png(192));
writeFileSync("src/web/public/icon-512.png", png(512));
