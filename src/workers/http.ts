// Small helpers shared by the routes: reading a JSON body safely.

import type { Context } from "hono";
import { parseJson } from "../shared/schemas/check";
import { readBytes } from "./avatars/read-bytes";

const JSON_BODY_MAX = 16 * 1024;

/**
 * Reads a JSON body of at most `max` bytes; 413 beyond, 400 if not JSON. The
 * bytes are counted as they stream, so a body without Content-Length (or
 * with a false one) is cut off at the limit, not read whole first.
 */
export async function readJson(c: Context, max = JSON_BODY_MAX): Promise<unknown> {
  const bytes = await readBytes(c.req.raw, max);
  return parseJson(new TextDecoder().decode(bytes));
}
