// PUT /api/chats/:chat/mute: mutes a chat for all the caller's devices (8
// hours, a week, always: any time up to a year ahead) or unmutes it, kept in
// the caller's user object (objects/user/mutes.ts); GET /api/chats carries
// `mutedUntil` on muted chats. A group the caller is not in (or that does not
// exist) is 403 not_member, as for the chat's history.

import { Hono } from "hono";
import { unwrap } from "../../shared/errors";
import { parseMuteBody } from "../../shared/mute";
import { chatId, parseChat } from "../../shared/protocol";
import type { AppEnv } from "../app-env";
import { readJson } from "../http";

/** Mounted inside chatRoutes (./routes.ts), whose requireAuth covers it. */
export const muteRoutes = new Hono<AppEnv>();

muteRoutes.put("/:chat/mute", async (c) => {
  const chat = chatId(parseChat(c.req.param("chat")));
  const { until } = parseMuteBody(await readJson(c), Date.now());
  const me = c.get("auth").userId;
  const state = unwrap(await c.env.USERS.get(c.env.USERS.idFromName(me)).mute(chat, until));
  return c.json(state);
});
