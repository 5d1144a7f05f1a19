// Bundle size of one representative schema set (every client frame and the
// JSON bodies) written twice, in valibot and in zod/mini: esbuild --bundle
// --minify, then gzip -9. docs/schemas.md has the figures and the choice.
// zod is no dependency of ours; it comes with @cloudflare/vitest-plugin.
// Run: node scripts/schema-size.mjs

import { gzipSync } from "node:zlib";
import { build } from "esbuild";

for (const lib of ["valibot", "zod-mini"]) {
  const out = await build({
    entryPoints: [`bench/schema-size/${lib}.ts`],
    bundle: true,
    minify: true,
    format: "esm",
    write: false,
    logLevel: "warning",
  });
  const bytes = out.outputFiles[0].contents;
  console.log(`${lib}: ${bytes.length} bytes minified, ${gzipSync(bytes, { level: 9 }).length} gzipped`);
}
