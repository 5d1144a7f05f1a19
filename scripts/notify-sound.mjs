// Writes src/web/public/notify.wav, the page's new-message sound: two short
// tones (880 Hz then 1175 Hz, 80 ms each with a fade), 8 kHz 8-bit mono PCM,
// about 1.3 KB. Run it again after changing the tones: node scripts/notify-sound.mjs
import { writeFileSync } from "node:fs";
import path from "node:path";

const RATE = 8000;
const TONES = [
  [880, 0.08],
  [1175, 0.08],
];

const samples = [];
for (const [freq, seconds] of TONES) {
  const n = Math.round(RATE * seconds);
  for (let i = 0; i < n; i++) {
    const fade = Math.min(1, i / 80, (n - i) / 160);
    samples.push(Math.round(128 + 80 * fade * Math.sin((2 * Math.PI * freq * i) / RATE)));
  }
}

const data = Buffer.from(samples);
const header = Buffer.alloc(44);
header.write("RIFF", 0);
header.writeUInt32LE(36 + data.length, 4);
header.write("WAVE", 8);
header.write("fmt ", 12);
header.writeUInt32LE(16, 16); // fmt chunk size
header.writeUInt16LE(1, 20); // PCM
header.writeUInt16LE(1, 22); // mono
header.writeUInt32LE(RATE, 24);
header.writeUInt32LE(RATE, 28); // bytes per second
header.writeUInt16LE(1, 32); // block align
header.writeUInt16LE(8, 34); // bits per sample
header.write("data", 36);
header.writeUInt32LE(data.length, 40);

const out = path.resolve(import.meta.dirname, "../src/web/public/notify.wav");
writeFileSync(out, Buffer.concat([header, data]));
console.log(`${out}: ${44 + data.length} bytes`);
