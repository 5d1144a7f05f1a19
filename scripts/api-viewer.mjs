// Puts the API reference viewer (Swagger UI, from the swagger-ui-dist
// package) among the static assets, dist/web/api-docs/, where the page
// /api/docs (src/workers/api-docs/routes.ts) loads it from: served locally,
// no CDN. wrangler runs this before `wrangler dev` and `wrangler deploy`
// ([build] in wrangler.toml). Each file is written aside and renamed into
// place, so servers starting side by side never read half a file.

import { copyFileSync, mkdirSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const from = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const to = path.join(ROOT, "dist/web/api-docs");
mkdirSync(to, { recursive: true });
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"]) {
  const aside = path.join(to, `.${file}.${process.pid}`);
  copyFileSync(path.join(from, file), aside);
  renameSync(aside, path.join(to, file));
}
