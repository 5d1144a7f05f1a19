// The one place where errors become HTTP answers: an AppError keeps its code
// and status; anything else is logged and answered 500 without details.

import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError, errorBody } from "../shared/errors";
import type { AppEnv } from "./app-env";

export function onError(err: Error, c: Context<AppEnv>): Response {
  const appError = err instanceof AppError ? err : new AppError("internal", "something went wrong; try again");
  if (!(err instanceof AppError)) {
    console.error(
      JSON.stringify({
        event: "unhandled",
        requestId: c.get("requestId"),
        path: c.req.path,
        error: String(err),
        stack: err.stack,
      }),
    );
  }
  c.set("errorCode", appError.code);
  if (appError.retryAfter !== undefined) c.header("Retry-After", String(appError.retryAfter));
  return c.json(errorBody(appError), appError.status as ContentfulStatusCode);
}

export function notFound(c: Context<AppEnv>): Response {
  c.set("errorCode", "not_found");
  return c.json(errorBody(new AppError("not_found", `no route for ${c.req.method} ${c.req.path}`)), 404);
}
