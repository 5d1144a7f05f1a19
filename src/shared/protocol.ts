// The wire protocol: every object, frame and request body the clients and the
// server exchange. The shapes are schemas (./schemas, valibot), one per wire
// shape; the types are inferred from them, and the parsers below run them on
// what arrives from outside. The Worker, the objects, the client module and
// the tests all import this one module. docs/protocol.md is the prose
// version, docs/schemas.md says how the schemas work; ../shared/contract.md
// is the promise.

import type { AppError } from "./errors";
import { ENTITY_ID_PATTERN, MESSAGE_ID_PATTERN } from "./ids";
import {
  type CreateGroupBody,
  createGroupBody,
  type LoginBody,
  loginBody,
  type PatchGroupBody,
  type PatchMeBody,
  parseBody,
  patchGroupBody,
  patchMeBody,
  type RegisterBody,
  registerBody,
  userIdBody,
} from "./schemas/bodies";
import { parseWith } from "./schemas/check";
import { FrameError } from "./schemas/client-frames";
import { type ChatId, chatId as chatIdSchema } from "./schemas/fields";
import { type LastSeenVisibility, LAST_SEEN_VISIBILITIES as VISIBILITIES } from "./schemas/objects";
import { searchWords, userIdList } from "./schemas/queries";
import type { ServerFrame } from "./schemas/server-frames";

export type { CreateGroupBody, LoginBody, PatchGroupBody, PatchMeBody, RegisterBody } from "./schemas/bodies";
export { normalizeUsername } from "./schemas/bodies";
export {
  CLIENT_FRAMES,
  type ClientFrame,
  type ClientFrameOf,
  type ClientFrameType,
  checkClientFrame,
  DELETE_SCOPES,
  type DeleteScope,
  FrameError,
  type FrameFields,
  parseClientFrame,
  readClientFrame,
} from "./schemas/client-frames";
export { type ChatId, CLIENT_ID_PATTERN } from "./schemas/fields";
export type {
  AuthAnswer,
  BlockedUser,
  ChatSummary,
  Group,
  LastSeenVisibility,
  Me,
  Message,
  Presence,
  Quote,
  Reaction,
  ReaderReceipt,
  Role,
  SessionInfo,
  SystemEvent,
  User,
} from "./schemas/objects";
export type { ReceiptStatus, ReplayedFrame, ServerFrame } from "./schemas/server-frames";

export const LAST_SEEN_VISIBILITIES: readonly LastSeenVisibility[] = VISIBILITIES;

/** A chat's mute: until a time (ms since the epoch), or "always". */
export type MutedUntil = number | "always";

// ---------------------------------------------------------------- chat ids

export type ChatRef = { kind: "user"; id: string } | { kind: "group"; id: string };

/** A chat id's kind and id; invalid_chat for anything else. */
export function parseChat(value: unknown): ChatRef {
  const chat = parseWith(chatIdSchema, value);
  const id = chat.slice(2);
  return chat[0] === "u" ? { kind: "user", id } : { kind: "group", id };
}

export function chatId(ref: ChatRef): ChatId {
  return ref.kind === "user" ? `u:${ref.id}` : `g:${ref.id}`;
}

export function isEntityId(value: unknown): value is string {
  return typeof value === "string" && ENTITY_ID_PATTERN.test(value);
}

export function isMessageId(value: unknown): value is string {
  return typeof value === "string" && MESSAGE_ID_PATTERN.test(value);
}

// ---------------------------------------------------------------- frames

/** The heartbeat: literal text, answered by the runtime without waking the object. */
export const PING = "ping";
export const PONG = "pong";

export function errorFrame(err: AppError): ServerFrame {
  const frame: ServerFrame = { type: "error", code: err.code, message: err.message };
  if (err instanceof FrameError) frame.clientId = err.clientId;
  return frame;
}

// ---------------------------------------------------------------- HTTP bodies

export function parseRegisterBody(body: unknown): RegisterBody {
  return parseBody(registerBody, body);
}

export function parseLoginBody(body: unknown): LoginBody {
  return parseBody(loginBody, body);
}

/** Unknown fields are refused rather than ignored (as on every body), so a typo or `username` is not silently dropped. */
export function parsePatchMeBody(body: unknown): PatchMeBody {
  return parseBody(patchMeBody, body);
}

export function parseCreateGroupBody(body: unknown): CreateGroupBody {
  return parseBody(createGroupBody, body);
}

export function parsePatchGroupBody(body: unknown): PatchGroupBody {
  return parseBody(patchGroupBody, body);
}

export function parseAddMemberBody(body: unknown): { userId: string } {
  return parseBody(userIdBody, body);
}

/** `POST /api/me/blocked` */
export function parseBlockBody(body: unknown): { userId: string } {
  return parseBody(userIdBody, body);
}

/** `GET /api/users?ids=a,b`: distinct user ids, 1 to USER_LOOKUP_MAX. */
export function parseUserIds(value: string | undefined): string[] {
  return parseWith(userIdList, value);
}

/**
 * The words of a `GET /api/search` query, lower-cased and distinct, in order.
 * An empty list (a query of punctuation only) means "matches nothing".
 * Throws invalid_field when `q` is missing, query_too_long beyond the limits.
 */
export function parseSearchQuery(q: string | undefined): string[] {
  return parseWith(searchWords, q);
}
