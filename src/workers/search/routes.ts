// GET /api/search?q=&limit=&before=: the caller's own mailbox, searched in
// their user object, so nobody else's messages can ever be among the hits.

import { Hono } from "hono";
import { AppError, unwrap } from "../../shared/errors";
import { isMessageId, parseSearchQuery } from "../../shared/protocol";
import type { AppEnv } from "../app-env";
import { requireAuth } from "../auth/middleware";
import { parseLimit } from "../chats/routes";

export const searchRoutes = new Hono<AppEnv>();
searchRoutes.use(requireAuth);

searchRoutes.get("/", async (c) => {
  const words = parseSearchQuery(c.req.query("q"));
  const limit = parseLimit(c.req.query("limit"));
  const before = c.req.query("before");
  if (before !== undefined && !isMessageId(before)) throw new AppError("invalid_field", "before must be a message id");
  if (words.length === 0) return c.json({ messages: [] });
  const { userId } = c.get("auth");
  const stub = c.env.USERS.get(c.env.USERS.idFromName(userId));
  const request = before === undefined ? { words, limit } : { words, limit, before };
  const messages = unwrap(await stub.search(request));
  return c.json({ messages });
});
