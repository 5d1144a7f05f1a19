// Small helpers shared by the routes: reading a JSON body safely.

import type { Context } from "hono";
import { AppError } from "../shared/errors";
import { parseJson } from "../shared/validate";

const JSON_BODY_MAX = 16 * 1024;

/** Reads a JSON body of at most `max` bytes; 413 beyond, 400 if not JSON. */
export async function readJson(c: Context, max = JSON_BODY_MAX): Promise<unknown> {
  const declared = Number(c.req.header("Content-Length") ?? "0");
  if (declared > max) throw new AppError("too_large", `body must be at most ${max} bytes`);
  const text = await c.req.text();
  if (new TextEncoder().encode(text).length > max) throw new AppError("too_large", `body must be at most ${max} bytes`);
  return parseJson(text);
}
