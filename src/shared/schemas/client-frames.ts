// The frames a client sends on /ws: one schema per `type`, in one table.
// Frames are rebuilt from their known fields, so unknown keys (a client's
// own bookkeeping, `__proto__`) travel nowhere.

import * as v from "valibot";
import { AppError } from "../errors";
import { RECEIVED_IDS_MAX, SUBSCRIBE_MAX } from "../limits";
import { asObject, parseJson, parseWith } from "./check";
import { chatId, clientId, count, entityId, messageId, messageText, reactionEmoji } from "./fields";

/** `delete` for everyone (a tombstone in every member's mailbox) or for me (gone from mine). */
export const DELETE_SCOPES = ["everyone", "me"] as const;
export type DeleteScope = (typeof DELETE_SCOPES)[number];

/** 1 to `max` ids: the count is checked before the ids (a long list is refused without reading it). */
function idList<T extends v.GenericSchema<unknown, string>>(item: T, max: number) {
  return v.pipe(v.array(v.unknown()), v.minLength(1), v.maxLength(max), v.array(item));
}

// clientId first: when it is readable, an error about a later field carries it.
export const CLIENT_FRAMES = {
  send: v.object({
    type: v.literal("send"),
    clientId,
    chat: chatId,
    text: messageText,
    replyTo: v.optional(messageId),
    /** A forward: the server copies this message's content (not `text`) and counts its hops. */
    forward: v.optional(v.object({ chat: chatId, id: messageId })),
  }),
  edit: v.object({ type: v.literal("edit"), clientId, id: messageId, text: messageText }),
  delete: v.object({ type: v.literal("delete"), clientId, id: messageId, for: v.picklist(DELETE_SCOPES) }),
  /** This user's one reaction to a message: set or replaced by an emoji, removed by null. */
  react: v.object({ type: v.literal("react"), clientId, id: messageId, emoji: v.nullable(reactionEmoji) }),
  received: v.object({
    type: v.literal("received"),
    ids: idList(messageId, RECEIVED_IDS_MAX),
  }),
  read: v.object({ type: v.literal("read"), chat: chatId, upTo: messageId }),
  sync: v.object({ type: v.literal("sync"), after: count, batch: v.optional(v.boolean()) }),
  typing: v.object({ type: v.literal("typing"), chat: chatId }),
  subscribe: v.object({
    type: v.literal("subscribe"),
    users: idList(entityId, SUBSCRIBE_MAX),
  }),
} as const;

export type ClientFrameType = keyof typeof CLIENT_FRAMES;
export type ClientFrameSchema = (typeof CLIENT_FRAMES)[ClientFrameType];
export type ClientFrame = v.InferOutput<ClientFrameSchema>;
/** The frame of one `type`. */
export type ClientFrameOf<K extends ClientFrameType> = v.InferOutput<(typeof CLIENT_FRAMES)[K]>;

export const clientFrame = v.variant("type", /* @__PURE__ */ Object.values(CLIENT_FRAMES));

/** An AppError that remembers the clientId of the frame it answers. */
export class FrameError extends AppError {
  readonly clientId: string;
  constructor(err: AppError, clientId: string) {
    super(err.code, err.message);
    this.clientId = clientId;
  }
}

/** A frame's fields once read: a JSON object whose `type` is one of CLIENT_FRAMES. */
export type FrameFields = Record<string, unknown> & { type: ClientFrameType };

/** The first half of parseClientFrame: JSON, an object, a known `type` (bad_frame, unknown_type). */
export function readClientFrame(raw: string): FrameFields {
  const fields = asObject(parseJson(raw, "bad_frame"), "frame", "bad_frame");
  const type = fields.type;
  if (typeof type !== "string" || !Object.hasOwn(CLIENT_FRAMES, type)) {
    throw new AppError("unknown_type", "unknown frame type");
  }
  return fields as FrameFields;
}

/**
 * The second half: the fields through their type's schema. Throws AppError
 * (invalid_field, invalid_chat, text_too_long...); when the frame carried a
 * usable clientId the error says so, so that the client can match it.
 */
export function checkClientFrame<S extends ClientFrameSchema>(schema: S, fields: FrameFields): v.InferOutput<S> {
  try {
    return parseWith(schema, fields);
  } catch (err) {
    if (!(err instanceof AppError) || !Object.hasOwn(schema.entries, "clientId")) throw err;
    const id = v.safeParse(clientId, fields.clientId);
    throw id.success ? new FrameError(err, id.output) : err;
  }
}

/** Checks one text frame from a client: readClientFrame, then its type's schema. */
export function parseClientFrame(raw: string): ClientFrame {
  const fields = readClientFrame(raw);
  return checkClientFrame(CLIENT_FRAMES[fields.type], fields);
}
