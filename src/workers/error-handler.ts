// The one place where errors become HTTP answers: an AppError keeps its code
// and status; a store briefly unreachable is 503 `unavailable` (see
// shared/transient.ts); anything else is logged and answered 500 without details.

import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError, errorBody } from "../shared/errors";
import { isTransient, unavailable } from "../shared/transient";
import type { AppEnv } from "./app-env";

export function onError(err: Error, c: Context<AppEnv>): Response {
  const appError = toAppError(err);
  if (!(err instanceof AppError)) {
    console.error(
      JSON.stringify({
        event: appError.code === "unavailable" ? "store_unavailable" : "unhandled",
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

function toAppError(err: Error): AppError {
  if (err instanceof AppError) return err;
  if (isTransient(err)) return unavailable();
  return new AppError("internal", "something went wrong; try again");
}

export function notFound(c: Context<AppEnv>): Response {
  c.set("errorCode", "not_found");
  return c.json(errorBody(new AppError("not_found", `no route for ${c.req.method} ${c.req.path}`)), 404);
}
