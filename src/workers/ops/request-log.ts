// One JSON line per request, tagged with a request id that the response
// carries back as X-Request-Id (and the socket route passes to the user
// object), so a client's report, the Worker's line and the object's line
// can be joined. Workers Logs indexes JSON lines field by field.
// The query string is never logged: a WebSocket token may be in it.

import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";

export const REQUEST_ID_HEADER = "X-Request-Id";
const ACCEPTABLE_ID = /^[\w.=-]{1,64}$/;

/** The caller's id if it looks like one, else Cloudflare's ray id, else a new one. */
export function requestIdFor(request: Request): string {
  const given = request.headers.get(REQUEST_ID_HEADER);
  if (given && ACCEPTABLE_ID.test(given)) return given;
  const ray = request.headers.get("cf-ray");
  if (ray && ACCEPTABLE_ID.test(ray)) return ray;
  return crypto.randomUUID();
}

export interface RequestLine {
  event: "request";
  requestId: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  userId?: string;
  error?: string;
}

export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  const requestId = requestIdFor(c.req.raw);
  c.set("requestId", requestId);
  await next();
  const line: RequestLine = {
    event: "request",
    requestId,
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    ms: Date.now() - started,
  };
  const auth = c.get("auth");
  if (auth) line.userId = auth.userId;
  const error = c.get("errorCode");
  if (error) line.error = error;
  (line.status >= 500 ? console.error : console.log)(JSON.stringify(line));
  try {
    c.res.headers.set(REQUEST_ID_HEADER, requestId);
  } catch {
    // A 101 from the user object has immutable headers; the object logs the id.
  }
});
