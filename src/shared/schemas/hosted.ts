// A guest's message as its own object hands it to the chat's host
// (UserObject.appendFromGuest; docs/one-copy-per-chat.md): the fields of a
// `send` frame that the host stores, checked again by the host with the same
// field schemas and codes, and the seq the guest gave it in its own mailbox.

import * as v from "valibot";
import { captionText, clientId, count, entityId, messageId, messageText, reactionEmoji } from "./fields";
import { mediaSchema } from "./media";

export const guestMessageSchema = v.object({
  /** The guest: the caller's user id (given by its object, checked against the host rule). */
  guest: entityId,
  clientId,
  text: captionText,
  replyTo: v.optional(messageId),
  media: v.optional(mediaSchema),
  /** A forward's hops from the original (1, 2, ...), counted by the guest's object from the source (user/forward.ts). */
  forwarded: v.optional(v.pipe(count, v.minValue(1))),
  /** The seq the guest's mailbox gave the message: kept, and answered again to a retry. */
  guestSeq: v.pipe(count, v.minValue(1)),
});

/** What the guest's object sends (the guest goes as the call's first argument). */
export type GuestMessage = Omit<v.InferInput<typeof guestMessageSchema>, "guest">;
/** The same, checked. */
export type CheckedGuestMessage = v.InferOutput<typeof guestMessageSchema>;

/** The host's answer: the message's id, its seq in the host's mailbox, its position in the chat, and the guest's seq. */
export interface HostedAnswer {
  id: string;
  seq: number;
  pos: number;
  ts: number;
  guestSeq: number;
}

/**
 * A guest's change of a message in the chat its host keeps
 * (UserObject.hostedChange): what a group member asks of its group
 * (GroupObject.change), with the `edit`, `delete` (for everyone) and `react`
 * frames' fields and codes.
 */
export const hostedChangeSchema = v.variant("action", [
  v.object({ action: v.literal("edit"), id: messageId, text: messageText }),
  v.object({ action: v.literal("delete"), id: messageId }),
  v.object({ action: v.literal("react"), id: messageId, emoji: v.nullable(reactionEmoji) }),
]);
export type HostedChange = v.InferOutput<typeof hostedChangeSchema>;

/** Who asks, and its retry key: given by the guest's object beside the change. */
export const hostedChangeKeySchema = v.object({ guest: entityId, clientId });
