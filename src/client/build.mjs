// `npm run build` (and `npm pack`, by prepack): the package's dist/. One ES
// module bundled by esbuild, what it uses of ../shared included (valibot stays
// a dependency), and declarations by tsc, whose relative imports get their
// `.js` so that a consumer resolving as Node does (moduleResolution node16 or
// nodenext) finds them.

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { build } from "esbuild";

const here = import.meta.dirname;
const dist = path.join(here, "dist");
rmSync(dist, { recursive: true, force: true });

await build({
  entryPoints: [path.join(here, "index.ts")],
  outfile: path.join(dist, "index.js"),
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  external: ["valibot"],
  logLevel: "warning",
});

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", path.join(here, "tsconfig.build.json")], { stdio: "inherit" });

const RELATIVE = /((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']+?)(["'])/g;
for (const entry of readdirSync(path.join(dist, "types"), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith(".d.ts")) continue;
  const file = path.join(entry.parentPath, entry.name);
  const text = readFileSync(file, "utf8");
  writeFileSync(
    file,
    text.replace(RELATIVE, (_all, head, spec, tail) => `${head}${withJs(spec)}${tail}`),
  );
}

function withJs(spec) {
  return spec.endsWith(".js") ? spec : `${spec}.js`;
}
