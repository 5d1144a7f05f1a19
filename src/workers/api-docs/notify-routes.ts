// The routes of notifications (docs/protocol.md, "Mute" and "Web Push") in
// the route table (./route-table.ts).

import * as v from "valibot";
import { muteBody } from "../../shared/mute";
import { pushEndpointBody, pushSubscriptionBody } from "../../shared/push";
import { chatId } from "../../shared/schemas/fields";
import { type RouteDoc, r } from "./route-doc";

const muteState = v.object({
  chat: chatId,
  mutedUntil: v.nullable(v.union([v.number(), v.literal("always")])),
});

export const NOTIFY_ROUTES: RouteDoc[] = [
  r(
    "put",
    "/api/chats/{chat}/mute",
    "Mute a chat on every device, or unmute it",
    "chats",
    true,
    { 200: { description: "the chat's mute as it now stands", body: muteState } },
    {
      params: { chat: chatId },
      body: muteBody,
      errors: { 400: "invalid_chat, invalid_field, invalid_body", 403: "not_member", 404: "unknown_user" },
    },
  ),
  r("get", "/api/me/push", "The server's Web Push (VAPID) public key", "notifications", true, {
    200: {
      description: "the key, null when push is not set up",
      body: v.object({ publicKey: v.nullable(v.string()) }),
    },
  }),
  r(
    "post",
    "/api/me/push",
    "Subscribe this device to Web Push",
    "notifications",
    true,
    { 201: { description: "subscribed: the endpoint as stored", body: v.object({ endpoint: v.string() }) } },
    { body: pushSubscriptionBody, errors: { 400: "invalid_field, invalid_body" } },
  ),
  r(
    "delete",
    "/api/me/push",
    "Unsubscribe a Web Push endpoint",
    "notifications",
    true,
    { 204: { description: "done" } },
    { body: pushEndpointBody, errors: { 400: "invalid_field, invalid_body" } },
  ),
];
