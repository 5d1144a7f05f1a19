// The frames the server sends on /ws. Described for the AsyncAPI document and
// the tests; the objects build them (src/objects), typed by ServerFrame.

import * as v from "valibot";
import { chatId, count, entityId, messageId } from "./fields";
import { messageSchema } from "./objects";

export const RECEIPT_STATUSES = ["delivered", "read"] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

const seq = v.pipe(count, v.description("the entry's position in the mailbox: the cursor for sync"));

export const sentFrame = v.object({ type: v.literal("sent"), clientId: v.string(), id: messageId, seq, ts: count });
export const messageFrame = v.object({ type: v.literal("message"), message: messageSchema });
export const updateFrame = v.object({
  type: v.literal("update"),
  seq,
  message: messageSchema,
  clientId: v.optional(v.string()),
});
export const removedFrame = v.object({
  type: v.literal("removed"),
  seq,
  chat: chatId,
  id: messageId,
  clientId: v.optional(v.string()),
});
export const receiptFrame = v.object({
  type: v.literal("receipt"),
  chat: chatId,
  ids: v.array(messageId),
  status: v.picklist(RECEIPT_STATUSES),
  by: entityId,
  ts: count,
});
export const presenceFrame = v.object({
  type: v.literal("presence"),
  user: entityId,
  online: v.boolean(),
  lastSeen: v.nullable(count),
});
export const typingFrame = v.object({ type: v.literal("typing"), chat: chatId, from: entityId });
export const syncedFrame = v.object({ type: v.literal("synced"), seq });
/**
 * A chat's own state changed on another device of the user (or by a route):
 * its unread count after a `read`, its mute after PUT /api/chats/:chat/mute
 * (`null`: not muted). Sent to every device of the user, so they agree live.
 */
export const chatFrame = v.object({
  type: v.literal("chat"),
  chat: chatId,
  unread: v.optional(count),
  mutedUntil: v.optional(
    v.pipe(
      v.nullable(v.union([count, v.literal("always")])),
      v.description('muted until this time (ms), "always", or null: not muted'),
    ),
  ),
});

/** What a `replay` frame carries (after a sync with `batch: true`: its replay, and entries that come together live): mailbox entries, in seq order. */
export const replayedFrame = v.variant("type", [messageFrame, receiptFrame, updateFrame, removedFrame]);
export const replayFrame = v.object({ type: v.literal("replay"), frames: v.array(replayedFrame) });

export const errorFrameSchema = v.object({
  type: v.literal("error"),
  code: v.string(),
  message: v.string(),
  clientId: v.optional(v.string()),
});

/** Every server frame, keyed by `type`. */
export const SERVER_FRAMES = {
  sent: sentFrame,
  message: messageFrame,
  update: updateFrame,
  removed: removedFrame,
  receipt: receiptFrame,
  presence: presenceFrame,
  typing: typingFrame,
  synced: syncedFrame,
  chat: chatFrame,
  replay: replayFrame,
  error: errorFrameSchema,
} as const;

export const serverFrame = v.variant("type", /* @__PURE__ */ Object.values(SERVER_FRAMES));

export type ServerFrame = v.InferOutput<(typeof SERVER_FRAMES)[keyof typeof SERVER_FRAMES]>;
export type ReplayedFrame = v.InferOutput<typeof replayedFrame>;
