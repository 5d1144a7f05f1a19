// GET /api/openapi.json, /api/asyncapi.json and /api/docs (the API reference,
// Swagger UI served from our own static assets, see scripts/api-viewer.mjs).
// The documents are made from the schemas once per isolate.

import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { asyncApiDocument } from "./asyncapi";
import { openApiDocument } from "./openapi";

/** The viewer's files, among the static assets. */
export const VIEWER_PATH = "/api-docs";

/**
 * The reference page's own policy, no looser than the web page's
 * (src/web/public/_headers): scripts, styles and requests of this origin
 * only; Swagger UI runs under it without a violation (test/browser/api-docs.test.ts).
 */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edge-chat API reference</title>
<link rel="stylesheet" href="${VIEWER_PATH}/swagger-ui.css">
</head>
<body>
<p>HTTP API below (<a href="/api/openapi.json">OpenAPI 3.1</a>); the WebSocket frames of /ws:
<a href="/api/asyncapi.json">AsyncAPI 3.1</a>.</p>
<div id="swagger-ui"></div>
<script src="${VIEWER_PATH}/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
});
`;

let openApiText: string | undefined;
let asyncApiText: string | undefined;

export const docsRoutes = new Hono<AppEnv>();

docsRoutes.get("/openapi.json", (c) => {
  openApiText ??= JSON.stringify(openApiDocument());
  return c.body(openApiText, 200, { "Content-Type": "application/json" });
});

docsRoutes.get("/asyncapi.json", (c) => {
  asyncApiText ??= JSON.stringify(asyncApiDocument());
  return c.body(asyncApiText, 200, { "Content-Type": "application/json" });
});

docsRoutes.get("/docs", (c) =>
  c.body(PAGE, 200, { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": DOCS_CSP }),
);

docsRoutes.get("/docs/init.js", (c) => c.body(INIT, 200, { "Content-Type": "text/javascript; charset=utf-8" }));
