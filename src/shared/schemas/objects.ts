// The objects the server answers with (JSON): users, messages, groups and the
// rest. They describe answers (the OpenAPI and AsyncAPI documents, the
// end-to-end tests' checks); the types of the whole code base come from them.

import * as v from "valibot";
import { chatId, count, entityId, messageId } from "./fields";

export const LAST_SEEN_VISIBILITIES = ["everyone", "contacts", "nobody"] as const;
export type LastSeenVisibility = (typeof LAST_SEEN_VISIBILITIES)[number];

const timestamp = v.pipe(count, v.description("server time, ms since the epoch"));
const nullableTime = v.nullable(timestamp);

const USER_ENTRIES = {
  id: entityId,
  username: v.string(),
  displayName: v.string(),
  about: v.string(),
  /** Present while the user has a profile picture: its versioned URL (relative to the server). */
  avatar: v.optional(v.pipe(v.string(), v.description("the picture's versioned URL, relative to the server"))),
};

export const userSchema = v.object(USER_ENTRIES);

// Spread from the literal (not from userSchema.entries, a property read that
// bundlers must keep), so that a page importing a constant of this module
// does not carry the schemas.
export const meSchema = v.object({
  ...USER_ENTRIES,
  lastSeenVisibility: v.picklist(LAST_SEEN_VISIBILITIES),
});

/** The quoted message of a reply, as the reader's mailbox has it. */
export const quoteSchema = v.object({
  id: messageId,
  from: entityId,
  excerpt: v.pipe(v.string(), v.description('the first characters of its text; "" once deleted')),
  deleted: v.optional(v.literal(true)),
});

/** One person's reaction to a message. */
export const reactionSchema = v.object({ from: entityId, emoji: v.string() });

export const SYSTEM_EVENTS = [
  "created",
  "added",
  "removed",
  "left",
  // an admin changed the group's name (text: the new name), description (text: it, "" cleared) or picture
  "renamed",
  "described",
  "pictured",
  "unpictured",
] as const;

export const systemEventSchema = v.object({
  event: v.picklist(SYSTEM_EVENTS),
  user: entityId,
  by: v.optional(entityId),
});

export const messageSchema = v.object({
  id: messageId,
  chat: chatId,
  from: entityId,
  text: v.string(),
  ts: timestamp,
  seq: v.pipe(count, v.description("its position in the reader's mailbox")),
  /** Present on messages the reader sent. */
  clientId: v.optional(v.string()),
  /** Present on group system messages (created, member added, removed, left; name, description, picture changed). */
  system: v.optional(systemEventSchema),
  /** Present on a reply. */
  replyTo: v.optional(quoteSchema),
  /** Present once the sender edited the message: when (ms). */
  editedAt: v.optional(timestamp),
  /** Present on a message deleted for everyone (a tombstone; `text` is ""). */
  deletedAt: v.optional(timestamp),
  /** Who deleted it for everyone: the sender, or a group admin. */
  deletedBy: v.optional(entityId),
  /** Present while anyone reacted: one entry per person (their one emoji), oldest reaction first. */
  reactions: v.optional(v.array(reactionSchema)),
  /** Present on a forwarded copy: how many forwards away from the original it is (1, 2, ...; 5 on: "many times"). */
  forwarded: v.optional(v.pipe(count, v.minValue(1), v.description("forwards since the original message"))),
});

export const ROLES = ["admin", "member"] as const;

export const groupSchema = v.object({
  id: entityId,
  name: v.string(),
  /** Present while the group has a description. */
  description: v.optional(v.string()),
  /** Present while the group has a picture: its versioned URL (relative to the server). */
  picture: v.optional(v.pipe(v.string(), v.description("the picture's versioned URL, relative to the server"))),
  members: v.array(v.object({ id: entityId, role: v.picklist(ROLES), displayName: v.optional(v.string()) })),
});

export const chatSummarySchema = v.object({
  chat: chatId,
  lastMessage: v.nullable(messageSchema),
  unread: count,
  /** Present on a muted chat only: muted until this time (ms), or for good. */
  mutedUntil: v.optional(
    v.pipe(v.union([timestamp, v.literal("always")]), v.description('muted until this time (ms), or "always"')),
  ),
});

export const presenceSchema = v.object({
  online: v.boolean(),
  lastSeen: v.pipe(nullableTime, v.description("null where privacy hides it")),
});

export const authAnswerSchema = v.object({ token: v.string(), user: userSchema });

/** One entry of `GET /api/me/blocked`. */
export const blockedUserSchema = v.object({ user: userSchema, since: timestamp });

/** One entry of `GET /api/me/sessions`: a logged-in device. */
export const sessionInfoSchema = v.object({
  id: entityId,
  device: v.pipe(v.string(), v.description("the name given at login, else the User-Agent")),
  createdAt: timestamp,
  lastActiveAt: timestamp,
  online: v.boolean(),
  current: v.pipe(v.boolean(), v.description("the session that made this request")),
});

/** One reader of `GET /api/chats/:chat/messages/:id/receipts`. */
export const readerReceiptSchema = v.object({
  user: entityId,
  deliveredAt: nullableTime,
  readAt: nullableTime,
});

export const errorBodySchema = v.object({
  error: v.object({ code: v.string(), message: v.string() }),
});

export type User = v.InferOutput<typeof userSchema>;
export type Me = v.InferOutput<typeof meSchema>;
export type Quote = v.InferOutput<typeof quoteSchema>;
export type Reaction = v.InferOutput<typeof reactionSchema>;
export type SystemEvent = v.InferOutput<typeof systemEventSchema>;
export type Message = v.InferOutput<typeof messageSchema>;
export type Role = (typeof ROLES)[number];
export type Group = v.InferOutput<typeof groupSchema>;
export type ChatSummary = v.InferOutput<typeof chatSummarySchema>;
export type Presence = v.InferOutput<typeof presenceSchema>;
export type AuthAnswer = v.InferOutput<typeof authAnswerSchema>;
export type BlockedUser = v.InferOutput<typeof blockedUserSchema>;
export type SessionInfo = v.InferOutput<typeof sessionInfoSchema>;
export type ReaderReceipt = v.InferOutput<typeof readerReceiptSchema>;
