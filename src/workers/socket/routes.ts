// GET /ws: authenticate the upgrade here, then hand the raw request to the
// user's Durable Object, which accepts the socket with the hibernation API.
// (Hono's upgradeWebSocket would accept it in the Worker, and a socket held
// by a Worker can never hibernate.)

import { Hono } from "hono";
import { AppError } from "../../shared/errors";
import type { AppEnv } from "../app-env";
import { authenticate } from "../auth/middleware";

export const socketRoutes = new Hono<AppEnv>();

socketRoutes.get("/", async (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw new AppError("invalid_body", "expected a WebSocket upgrade");
  }
  // Browsers cannot set headers on a WebSocket, so the token comes in the
  // query or as the Sec-WebSocket-Protocol value, which must then be echoed.
  const protocol = c.req.header("Sec-WebSocket-Protocol")?.split(",")[0]?.trim();
  const token = c.req.query("token") ?? protocol;
  const auth = await authenticate(c.env, token);
  c.set("auth", auth);
  const headers = new Headers(c.req.raw.headers);
  headers.set("x-request-id", c.get("requestId"));
  headers.set("x-session-id", auth.sessionId);
  if (protocol) headers.set("x-echo-protocol", protocol);
  else headers.delete("x-echo-protocol");
  const stub = c.env.USERS.get(c.env.USERS.idFromName(auth.userId));
  return stub.fetch(new Request(c.req.raw.url, { method: "GET", headers }));
});
