// The browser the tests drive: the Chromium (headless shell) that the npm
// package @sparticuz/chromium ships inside its tarball, so `npm install` brings
// it on any Linux x64 machine without a download or a system package. The
// package keeps it brotli-compressed; it is unpacked once into
// node_modules/.cache, with the few shared libraries it needs beyond glibc
// (NSS, NSPR, expat: shipped in the same package) and a font. CHROMIUM_PATH
// names another Chromium instead (Debian's /usr/bin/chromium, for example).

import { spawn } from "node:child_process";
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createBrotliDecompress } from "node:zlib";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PACKAGE = "@sparticuz/chromium";

export interface BrowserBinary {
  executablePath: string;
  /** Environment for the browser process (the shipped libraries and fonts). */
  env: Record<string, string>;
}

function packageDir(): { bin: string; version: string } {
  // The package exports only its entry (build/index.js); its folder holds bin/ and package.json.
  const entry = createRequire(path.join(ROOT, "package.json")).resolve(PACKAGE);
  const dir = path.resolve(path.dirname(entry), "..");
  const { version } = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string };
  return { bin: path.join(dir, "bin"), version };
}

async function unbrotli(from: string, to: string): Promise<void> {
  await pipeline(createReadStream(from), createBrotliDecompress(), createWriteStream(to, { mode: 0o755 }));
}

async function untar(from: string, into: string): Promise<void> {
  mkdirSync(into, { recursive: true });
  // Through a file, not a pipe: tar stops reading at the archive's end marker
  // and may close its stdin before the trailing padding is written, which
  // fails the pipe ("Premature close") now and then.
  const archive = path.join(into, `.${path.basename(from, ".br")}`);
  await unbrotli(from, archive);
  const tar = spawn("tar", ["-x", "-C", into, "-f", archive], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  tar.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => tar.on("close", resolve));
  rmSync(archive, { force: true });
  if (code !== 0) throw new Error(`unpacking ${from} failed (${code}): ${stderr}`);
}

/** Unpacks the package's browser once per version (into a temporary folder, then renamed, so a half-done unpack is never used). */
async function unpack(): Promise<string> {
  const { bin, version } = packageDir();
  const target = path.join(ROOT, "node_modules/.cache/edge-chat-chromium", version);
  if (existsSync(path.join(target, "chromium"))) return target;
  const work = `${target}.${process.pid}.tmp`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  await unbrotli(path.join(bin, "chromium.br"), path.join(work, "chromium"));
  await untar(path.join(bin, "swiftshader.tar.br"), work); // its GL libraries sit beside the binary
  await untar(path.join(bin, "fonts.tar.br"), path.join(work, "fonts"));
  await untar(path.join(bin, "al2023.tar.br"), path.join(work, "libs")); // lib/libnss3.so, ...
  // The machine's fonts where it has any, and the shipped Open Sans everywhere.
  writeFileSync(
    path.join(work, "fonts", "fonts.conf"),
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
      `  <dir>/usr/share/fonts</dir>\n  <dir>${path.join(target, "fonts", "fonts")}</dir>\n` +
      `  <cachedir>${path.join(target, "fonts", "cache")}</cachedir>\n</fontconfig>\n`,
  );
  try {
    renameSync(work, target);
  } catch (err) {
    // Another run unpacked it first: use theirs.
    rmSync(work, { recursive: true, force: true });
    if (!existsSync(path.join(target, "chromium"))) throw err;
  }
  return target;
}

/** The browser to drive: CHROMIUM_PATH if set (it must exist), else the npm package's, unpacked on first use. */
export async function browserBinary(): Promise<BrowserBinary> {
  const chosen = process.env.CHROMIUM_PATH;
  if (chosen) {
    if (!existsSync(chosen)) throw new Error(`CHROMIUM_PATH=${chosen}: no such file (unset it to use ${PACKAGE})`);
    return { executablePath: chosen, env: {} };
  }
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`${PACKAGE} ships Chromium for Linux x64 only; set CHROMIUM_PATH to a Chromium on this machine`);
  }
  const dir = await unpack();
  const libs = path.join(dir, "libs", "lib");
  return {
    executablePath: path.join(dir, "chromium"),
    env: {
      LD_LIBRARY_PATH: [libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":"),
      FONTCONFIG_PATH: path.join(dir, "fonts"),
    },
  };
}
