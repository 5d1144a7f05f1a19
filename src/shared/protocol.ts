// The wire protocol: every object, frame and request body the clients and the
// server exchange, with the runtime checks for what arrives from outside.
// The Worker, the objects, the client module and the tests all import this one
// module. docs/protocol.md is the prose version; ../shared/contract.md the promise.

import { AppError } from "./errors";
import { ENTITY_ID_PATTERN, MESSAGE_ID_PATTERN } from "./ids";
import {
  ABOUT_MAX,
  CLIENT_ID_MAX,
  DEVICE_NAME_MAX,
  DISPLAY_NAME_MAX,
  GROUP_NAME_MAX,
  PASSWORD_MAX,
  RECEIVED_IDS_MAX,
  SEARCH_QUERY_MAX,
  SEARCH_WORDS_MAX,
  SUBSCRIBE_MAX,
  TEXT_MAX,
  USER_LOOKUP_MAX,
} from "./limits";
import { checkMessageText, checkName, checkNewPassword, checkUsername, onlyFields } from "./text-rules";
import * as v from "./validate";

// ---------------------------------------------------------------- objects

export type LastSeenVisibility = "everyone" | "contacts" | "nobody";
export const LAST_SEEN_VISIBILITIES: readonly LastSeenVisibility[] = ["everyone", "contacts", "nobody"];

export interface User {
  id: string;
  username: string;
  displayName: string;
  about: string;
  /**
   * Present while the user has a profile picture: its URL (relative to the
   * server), which changes with every new picture, so it may be cached forever.
   */
  avatar?: string;
}

export interface Me extends User {
  lastSeenVisibility: LastSeenVisibility;
}

/** `u:<userId>` or `g:<groupId>`, always from the reader's point of view. */
export type ChatId = `u:${string}` | `g:${string}`;
export type ChatRef = { kind: "user"; id: string } | { kind: "group"; id: string };

export interface Message {
  id: string;
  chat: ChatId;
  from: string;
  text: string;
  ts: number;
  seq: number;
  /** Present on messages the reader sent. */
  clientId?: string;
  /** Present on group system messages (member added, removed, left). */
  system?: SystemEvent;
  /** Present on a reply: the quoted message as the reader's mailbox has it. */
  replyTo?: Quote;
  /** Present once the sender edited the message: when (ms). */
  editedAt?: number;
  /** Present on a message deleted for everyone (a tombstone; `text` is ""): when (ms). */
  deletedAt?: number;
  /** Who deleted it for everyone: the sender, or a group admin. */
  deletedBy?: string;
}

/** The quoted message of a reply: its id, sender and the start of its text. */
export interface Quote {
  id: string;
  from: string;
  /** The first QUOTE_EXCERPT_MAX characters of its text; "" once it was deleted. */
  excerpt: string;
  /** Present when the quoted message was deleted for everyone. */
  deleted?: true;
}

export interface SystemEvent {
  event: "created" | "added" | "removed" | "left";
  user: string;
  by?: string;
}

export type Role = "admin" | "member";

export interface Group {
  id: string;
  name: string;
  members: { id: string; role: Role; displayName?: string }[];
}

export interface ChatSummary {
  chat: ChatId;
  lastMessage: Message | null;
  unread: number;
  /** Present on a muted chat only: muted until this time (ms), or for good. */
  mutedUntil?: MutedUntil;
}

/** A chat's mute: until a time (ms since the epoch), or "always". */
export type MutedUntil = number | "always";

export interface Presence {
  online: boolean;
  lastSeen: number | null;
}

export type ReceiptStatus = "delivered" | "read";

export interface AuthAnswer {
  token: string;
  user: User;
}

// ---------------------------------------------------------------- chat ids

export function parseChat(value: unknown): ChatRef {
  if (typeof value === "string" && value.length === 18 && value[1] === ":") {
    const id = value.slice(2);
    if (ENTITY_ID_PATTERN.test(id)) {
      if (value[0] === "u") return { kind: "user", id };
      if (value[0] === "g") return { kind: "group", id };
    }
  }
  throw new AppError("invalid_chat", "chat must be u:<userId> or g:<groupId>");
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

export type ClientFrame =
  | { type: "send"; clientId: string; chat: ChatId; text: string; replyTo?: string }
  | { type: "edit"; clientId: string; id: string; text: string }
  | { type: "delete"; clientId: string; id: string; for: DeleteScope }
  | { type: "received"; ids: string[] }
  | { type: "read"; chat: ChatId; upTo: string }
  | { type: "sync"; after: number; batch?: boolean }
  | { type: "typing"; chat: ChatId }
  | { type: "subscribe"; users: string[] };

export type ServerFrame =
  | { type: "sent"; clientId: string; id: string; seq: number; ts: number }
  | { type: "message"; message: Message }
  | { type: "update"; seq: number; message: Message; clientId?: string }
  | { type: "removed"; seq: number; chat: ChatId; id: string; clientId?: string }
  | { type: "receipt"; chat: ChatId; ids: string[]; status: ReceiptStatus; by: string; ts: number }
  | { type: "presence"; user: string; online: boolean; lastSeen: number | null }
  | { type: "typing"; chat: ChatId; from: string }
  | { type: "synced"; seq: number }
  | { type: "replay"; frames: ReplayedFrame[] }
  | { type: "error"; code: string; message: string; clientId?: string };

/** What a `replay` frame carries (a sync with `batch: true`): mailbox entries, in seq order. */
export type ReplayedFrame = Extract<ServerFrame, { type: "message" | "receipt" | "update" | "removed" }>;

export const CLIENT_ID_PATTERN = /^[\x21-\x7e]+$/; // printable ASCII, no spaces

/** `delete` for everyone (a tombstone in every member's mailbox) or for me (gone from mine). */
export type DeleteScope = "everyone" | "me";
export const DELETE_SCOPES: readonly DeleteScope[] = ["everyone", "me"];

/**
 * Checks one text frame from a client. Throws AppError (bad_frame,
 * unknown_type, invalid_field, invalid_chat, text_too_long); when the frame
 * carried a usable clientId the error says so, so that the client can match it.
 */
export function parseClientFrame(raw: string): ClientFrame {
  const fields = v.object(v.parseJson(raw, "bad_frame"), "frame", "bad_frame");
  switch (fields.type) {
    case "send": {
      const clientId = frameClientId(fields);
      try {
        const chat = chatId(parseChat(fields.chat));
        const text = messageText(fields);
        if (fields.replyTo === undefined) return { type: "send", clientId, chat, text };
        return {
          type: "send",
          clientId,
          chat,
          text,
          replyTo: v.string(fields, "replyTo", { pattern: MESSAGE_ID_PATTERN }),
        };
      } catch (err) {
        throw withClientId(err, clientId);
      }
    }
    case "edit": {
      const clientId = frameClientId(fields);
      try {
        const id = v.string(fields, "id", { pattern: MESSAGE_ID_PATTERN });
        return { type: "edit", clientId, id, text: messageText(fields) };
      } catch (err) {
        throw withClientId(err, clientId);
      }
    }
    case "delete": {
      const clientId = frameClientId(fields);
      try {
        const id = v.string(fields, "id", { pattern: MESSAGE_ID_PATTERN });
        return { type: "delete", clientId, id, for: v.oneOf(fields, "for", DELETE_SCOPES) };
      } catch (err) {
        throw withClientId(err, clientId);
      }
    }
    case "received":
      return {
        type: "received",
        ids: v.stringArray(fields, "ids", { min: 1, max: RECEIVED_IDS_MAX, pattern: MESSAGE_ID_PATTERN }),
      };
    case "read":
      return {
        type: "read",
        chat: chatId(parseChat(fields.chat)),
        upTo: v.string(fields, "upTo", { pattern: MESSAGE_ID_PATTERN }),
      };
    case "sync": {
      const after = v.integer(fields, "after", { min: 0 });
      const batch = v.optionalBoolean(fields, "batch");
      return batch === undefined ? { type: "sync", after } : { type: "sync", after, batch };
    }
    case "typing":
      return { type: "typing", chat: chatId(parseChat(fields.chat)) };
    case "subscribe":
      return {
        type: "subscribe",
        users: v.stringArray(fields, "users", { min: 1, max: SUBSCRIBE_MAX, pattern: ENTITY_ID_PATTERN }),
      };
    default:
      throw new AppError("unknown_type", "unknown frame type");
  }
}

function frameClientId(fields: v.Fields): string {
  return v.string(fields, "clientId", { min: 1, max: CLIENT_ID_MAX, pattern: CLIENT_ID_PATTERN });
}

/** A message's text: 1 to TEXT_MAX characters (code points), by the rules of shared/text-rules.ts. */
function messageText(fields: v.Fields): string {
  const text = v.string(fields, "text", { min: 1 });
  if (v.codePoints(text) > TEXT_MAX) {
    throw new AppError("text_too_long", `text must be at most ${TEXT_MAX} characters`);
  }
  return checkMessageText(text);
}

/** An AppError that remembers the clientId of the frame it answers. */
export class FrameError extends AppError {
  readonly clientId: string;
  constructor(err: AppError, clientId: string) {
    super(err.code, err.message);
    this.clientId = clientId;
  }
}

function withClientId(err: unknown, clientId: string): unknown {
  return err instanceof AppError ? new FrameError(err, clientId) : err;
}

export function errorFrame(err: AppError): ServerFrame {
  const frame: ServerFrame = { type: "error", code: err.code, message: err.message };
  if (err instanceof FrameError) frame.clientId = err.clientId;
  return frame;
}

// ---------------------------------------------------------------- HTTP bodies

export interface RegisterBody {
  username: string;
  password: string;
  displayName?: string;
  /** A name for this device in the list of linked devices (else its User-Agent). */
  device?: string;
}

export function parseRegisterBody(body: unknown): RegisterBody {
  const f = v.object(body);
  onlyFields(f, ["username", "password", "displayName", "device"]);
  const username = checkUsername(normalizeUsername(v.string(f, "username", { code: "invalid_username" })));
  const password = checkNewPassword(v.string(f, "password", { code: "invalid_password" }), username);
  const displayName = profileText(f, "displayName", 1, DISPLAY_NAME_MAX);
  const out: RegisterBody = { username, password };
  if (displayName !== undefined) out.displayName = displayName;
  const device = deviceName(f);
  if (device !== undefined) out.device = device;
  return out;
}

export interface LoginBody {
  username: string;
  password: string;
  device?: string;
}

export function parseLoginBody(body: unknown): LoginBody {
  const f = v.object(body);
  onlyFields(f, ["username", "password", "device"]);
  const out: LoginBody = {
    username: normalizeUsername(v.string(f, "username", { max: 64 })),
    password: v.string(f, "password", { max: PASSWORD_MAX }),
  };
  const device = deviceName(f);
  if (device !== undefined) out.device = device;
  return out;
}

/** An optional device name: one line of 1 to DEVICE_NAME_MAX characters. */
function deviceName(f: v.Fields): string | undefined {
  return profileText(f, "device", 1, DEVICE_NAME_MAX);
}

/** Usernames are case-insensitive: stored and compared in lower case. */
export function normalizeUsername(name: string): string {
  return name.toLowerCase();
}

export interface PatchMeBody {
  displayName?: string;
  about?: string;
  lastSeenVisibility?: LastSeenVisibility;
}

/** Unknown fields are refused rather than ignored (as on every body), so a typo or `username` is not silently dropped. */
export function parsePatchMeBody(body: unknown): PatchMeBody {
  const f = v.object(body);
  onlyFields(f, ["displayName", "about", "lastSeenVisibility"]);
  const out: PatchMeBody = {};
  const displayName = profileText(f, "displayName", 1, DISPLAY_NAME_MAX);
  if (displayName !== undefined) out.displayName = displayName;
  const about = profileText(f, "about", 0, ABOUT_MAX);
  if (about !== undefined) out.about = about;
  if (f.lastSeenVisibility !== undefined) {
    out.lastSeenVisibility = v.oneOf(f, "lastSeenVisibility", LAST_SEEN_VISIBILITIES);
  }
  return out;
}

/** A one-line name field, by the rules of shared/text-rules.ts (checkName). */
function profileText(f: v.Fields, field: string, min: number, max: number): string | undefined {
  const raw = v.optionalString(f, field);
  return raw === undefined ? undefined : checkName(raw, field, min, max);
}

/** `GET /api/users?ids=a,b`: distinct user ids, 1 to USER_LOOKUP_MAX. */
export function parseUserIds(value: string | undefined): string[] {
  const ids = [...new Set((value ?? "").split(",").filter((id) => id !== ""))];
  if (ids.length === 0 || ids.length > USER_LOOKUP_MAX || !ids.every(isEntityId)) {
    throw new AppError("invalid_field", `ids must be 1 to ${USER_LOOKUP_MAX} comma-separated user ids`);
  }
  return ids;
}

// ---------------------------------------------------------------- search

// A word is a run of letters, digits and marks, as SQLite's unicode61
// tokenizer sees it; everything else (quotes, `*`, parentheses, `-`) only
// separates words. So no character of a query is ever FTS syntax.
const SEARCH_WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

/**
 * The words of a `GET /api/search` query, lower-cased and distinct, in order.
 * An empty list (a query of punctuation only) means "matches nothing".
 * Throws invalid_field when `q` is missing, query_too_long beyond the limits.
 */
export function parseSearchQuery(q: string | undefined): string[] {
  if (q === undefined) throw new AppError("invalid_field", "q is required");
  if (v.codePoints(q) > SEARCH_QUERY_MAX) {
    throw new AppError("query_too_long", `q must be at most ${SEARCH_QUERY_MAX} characters`);
  }
  const words = [...new Set(q.toLowerCase().match(SEARCH_WORD) ?? [])];
  if (words.length > SEARCH_WORDS_MAX) {
    throw new AppError("query_too_long", `q must have at most ${SEARCH_WORDS_MAX} words`);
  }
  return words;
}

export interface CreateGroupBody {
  name: string;
  members: string[];
}

export function parseCreateGroupBody(body: unknown): CreateGroupBody {
  const f = v.object(body);
  onlyFields(f, ["name", "members"]);
  const name = checkName(v.string(f, "name"), "name", 1, GROUP_NAME_MAX);
  const members = f.members === undefined ? [] : v.stringArray(f, "members", { pattern: ENTITY_ID_PATTERN });
  return { name, members: [...new Set(members)] };
}

export function parseAddMemberBody(body: unknown): { userId: string } {
  const f = v.object(body);
  onlyFields(f, ["userId"]);
  return { userId: v.string(f, "userId", { pattern: ENTITY_ID_PATTERN }) };
}

// ---------------------------------------------------------------- user safety

/** `POST /api/me/blocked` */
export function parseBlockBody(body: unknown): { userId: string } {
  const f = v.object(body);
  onlyFields(f, ["userId"]);
  return { userId: v.string(f, "userId", { pattern: ENTITY_ID_PATTERN }) };
}

/** One entry of `GET /api/me/blocked`. */
export interface BlockedUser {
  user: User;
  /** When it was blocked (ms). */
  since: number;
}

/** One entry of `GET /api/me/sessions`: a logged-in device. */
export interface SessionInfo {
  id: string;
  /** The name given at login, else the User-Agent. */
  device: string;
  createdAt: number;
  /** The last authenticated request or socket of the session (ms), to within SESSION_TOUCH_MS. */
  lastActiveAt: number;
  /** A socket of this session is connected now. */
  online: boolean;
  /** The session that made this request. */
  current: boolean;
}

/** One reader of `GET /api/chats/:chat/messages/:id/receipts`. */
export interface ReaderReceipt {
  user: string;
  deliveredAt: number | null;
  readAt: number | null;
}
