// The bodies of the HTTP answers that are not one object of objects.ts: the
// lists and the few answers of their own. Named for the documents
// (components of the OpenAPI document) and the tests' checks of answers.

import * as v from "valibot";
import { chatId, count, entityId, messageId } from "./fields";
import { mediaSchema } from "./media";
import {
  authAnswerSchema,
  blockedUserSchema,
  chatSummarySchema,
  errorBodySchema,
  groupSchema,
  meSchema,
  messageSchema,
  presenceSchema,
  quoteSchema,
  readerReceiptSchema,
  sessionInfoSchema,
  systemEventSchema,
  userSchema,
} from "./objects";

export const chatListAnswer = v.object({ chats: v.array(chatSummarySchema) });
export const messageListAnswer = v.object({ messages: v.array(messageSchema) });
export const userListAnswer = v.object({ users: v.array(userSchema) });
export const blockedListAnswer = v.object({ blocked: v.array(blockedUserSchema) });
export const blockAnswer = v.object({ user: userSchema, blocked: v.literal(true) });
export const sessionListAnswer = v.object({ sessions: v.array(sessionInfoSchema) });
export const receiptsAnswer = v.object({ id: messageId, chat: chatId, receipts: v.array(readerReceiptSchema) });

export const healthAnswer = v.object({
  ok: v.boolean(),
  version: v.string(),
  environment: v.string(),
  checks: v.object({ d1: v.picklist(["ok", "failing"]) }),
});

/** `GET /api/admin/users/:id/stats`: the object's counts, for operators. */
export const userStatsAnswer = v.object({
  userId: entityId,
  sockets: count,
  messages: count,
  outbox: count,
  seq: count,
  archived: v.pipe(count, v.description("pages of the mailbox archived to R2")),
  archivedMessages: v.pipe(count, v.description("messages in them")),
  archivedBytes: v.pipe(count, v.description("their compressed bytes")),
  sqliteBytes: v.pipe(count, v.description("the object's SQLite database size")),
});

/** `GET /api/admin/groups/:id/stats`: the group object's counts, for operators (docs/archive.md). */
export const groupStatsAnswer = v.object({
  groupId: entityId,
  members: count,
  log: v.pipe(count, v.description("log entries in the object's SQLite")),
  behind: v.pipe(count, v.description("recipients the fan-out has not caught up with")),
  busy: v.boolean(),
  archived: v.pipe(count, v.description("pages of the log archived to R2")),
  archivedBytes: v.pipe(count, v.description("their compressed bytes")),
  sqliteBytes: v.pipe(count, v.description("the object's SQLite database size")),
});

/** The named shapes: components of the OpenAPI document, and what answers are checked against. */
export const NAMED_SCHEMAS = {
  User: userSchema,
  Me: meSchema,
  Quote: quoteSchema,
  SystemEvent: systemEventSchema,
  Message: messageSchema,
  Group: groupSchema,
  ChatSummary: chatSummarySchema,
  Presence: presenceSchema,
  AuthAnswer: authAnswerSchema,
  BlockedUser: blockedUserSchema,
  SessionInfo: sessionInfoSchema,
  ReaderReceipt: readerReceiptSchema,
  Media: mediaSchema,
  Error: errorBodySchema,
} as const;
