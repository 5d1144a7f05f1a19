// The security headers of every answer of the Worker (the page's own are in
// src/web/public/_headers). An API answer is JSON or a picture, never a
// page: it may run nothing, load nothing and be framed by no one. HSTS only
// in production (on a laptop the server is plain http://localhost).
// docs/security.md, "Headers", says why each is there.

import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";

export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
export const HSTS = "max-age=31536000; includeSubDomains";

export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  // A WebSocket upgrade's 101 carries the socket; its headers are not the page's concern.
  if (c.res.status === 101) return;
  // An answer passed through from elsewhere may have immutable headers: copy it first.
  try {
    c.res.headers.set("X-Content-Type-Options", "nosniff");
  } catch {
    c.res = new Response(c.res.body, c.res);
  }
  const headers = c.res.headers;
  // The picture route sets a stricter one of its own (sandbox): kept.
  if (!headers.has("Content-Security-Policy")) headers.set("Content-Security-Policy", API_CSP);
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "no-referrer");
  headers.set("X-Frame-Options", "DENY");
  if (c.env.ENVIRONMENT === "production") headers.set("Strict-Transport-Security", HSTS);
});
