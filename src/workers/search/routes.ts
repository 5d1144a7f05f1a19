// GET /api/search?q=&limit=&before=: the caller's own mailbox, searched in
// their user object, so nobody else's messages can ever be among the hits.

import { Hono } from "hono";
import { unwrap } from "../../shared/errors";
import { parseWith } from "../../shared/schemas/check";
import { searchQuery } from "../../shared/schemas/queries";
import type { AppEnv } from "../app-env";
import { requireAuth } from "../auth/middleware";

export const searchRoutes = new Hono<AppEnv>();
searchRoutes.use(requireAuth);

searchRoutes.get("/", async (c) => {
  const { q: words, limit, before } = parseWith(searchQuery, c.req.query());
  if (words.length === 0) return c.json({ messages: [] });
  const { userId } = c.get("auth");
  const stub = c.env.USERS.get(c.env.USERS.idFromName(userId));
  const request = before === undefined ? { words, limit } : { words, limit, before };
  const messages = unwrap(await stub.search(request));
  return c.json({ messages });
});
