// GET /api/chats and GET /api/chats/:chat/messages: read from the caller's
// own mailbox (their user object), so a user sees only chats they are in; a
// group's history is refused (403 not_member) to one who never was in it, and
// an unknown group gets the same answer. PUT /api/chats/:chat/mute is in
// ./mute-routes.ts.

import { Hono } from "hono";
import { AppError, unwrap } from "../../shared/errors";
import { chatId, isMessageId, parseChat, type ReaderReceipt } from "../../shared/protocol";
import { parseWith } from "../../shared/schemas/check";
import { historyQuery } from "../../shared/schemas/queries";
import type { AppEnv } from "../app-env";
import { requireAuth } from "../auth/middleware";
import { muteRoutes } from "./mute-routes";

export const chatRoutes = new Hono<AppEnv>();
chatRoutes.use(requireAuth);
chatRoutes.route("/", muteRoutes);

chatRoutes.get("/", async (c) => {
  const chats = await userObject(c.env, c.get("auth").userId).chats();
  return c.json({ chats });
});

chatRoutes.get("/:chat/messages", async (c) => {
  const chat = chatId(parseChat(c.req.param("chat")));
  const { before, limit } = parseWith(historyQuery, c.req.query());
  const messages = unwrap(await userObject(c.env, c.get("auth").userId).readChat(chat, before, limit));
  return c.json({ messages });
});

// Message info: for a message the caller sent, each reader's delivered and
// read times. The readers are those it was meant for: the peer, or the
// group's members when it was sent (the group object knows them, members who
// left since included); the times come from the caller's own object.
chatRoutes.get("/:chat/messages/:id/receipts", async (c) => {
  const ref = parseChat(c.req.param("chat"));
  const id = c.req.param("id");
  if (!isMessageId(id)) throw new AppError("invalid_field", "id must be a message id");
  const me = c.get("auth").userId;
  const { marks } = unwrap(await userObject(c.env, me).receiptsOf(chatId(ref), id));
  let readers: string[];
  if (ref.kind === "user") {
    readers = ref.id === me ? [] : [ref.id];
  } else {
    readers = unwrap(await c.env.GROUPS.get(c.env.GROUPS.idFromName(ref.id)).readers(me, id));
  }
  const byReader = new Map(marks.map((m) => [m.user, m]));
  const receipts: ReaderReceipt[] = readers.map(
    (user) => byReader.get(user) ?? { user, deliveredAt: null, readAt: null },
  );
  return c.json({ id, chat: chatId(ref), receipts });
});

function userObject(env: Env, userId: string) {
  return env.USERS.get(env.USERS.idFromName(userId));
}
