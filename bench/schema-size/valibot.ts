// The representative schema set in valibot: every client frame and the JSON bodies.
import * as v from "valibot";

const entityId = v.pipe(v.string(), v.regex(/^[0-9a-z]{16}$/));
const messageId = v.pipe(v.string(), v.regex(/^[0-9a-z]{29}$/));
const chat = v.pipe(v.string(), v.regex(/^[ug]:[0-9a-z]{16}$/));
const clientId = v.pipe(v.string(), v.minLength(1), v.maxLength(64), v.regex(/^[\x21-\x7e]+$/));
const text = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));
const name = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(64));

export const clientFrame = v.variant("type", [
  v.object({ type: v.literal("send"), clientId, chat, text, replyTo: v.optional(messageId) }),
  v.object({ type: v.literal("edit"), clientId, id: messageId, text }),
  v.object({ type: v.literal("delete"), clientId, id: messageId, for: v.picklist(["everyone", "me"]) }),
  v.object({ type: v.literal("received"), ids: v.pipe(v.array(messageId), v.minLength(1), v.maxLength(1000)) }),
  v.object({ type: v.literal("read"), chat, upTo: messageId }),
  v.object({
    type: v.literal("sync"),
    after: v.pipe(v.number(), v.integer(), v.minValue(0)),
    batch: v.optional(v.boolean()),
  }),
  v.object({ type: v.literal("typing"), chat }),
  v.object({ type: v.literal("subscribe"), users: v.pipe(v.array(entityId), v.minLength(1), v.maxLength(500)) }),
]);

export const bodies = {
  register: v.strictObject({
    username: v.pipe(v.string(), v.toLowerCase(), v.regex(/^[a-z0-9_.]{3,32}$/)),
    password: v.pipe(v.string(), v.minLength(8), v.maxLength(128)),
    displayName: v.optional(name),
    device: v.optional(name),
  }),
  login: v.strictObject({ username: v.string(), password: v.string(), device: v.optional(name) }),
  patchMe: v.strictObject({
    displayName: v.optional(name),
    about: v.optional(v.pipe(v.string(), v.maxLength(140))),
    lastSeenVisibility: v.optional(v.picklist(["everyone", "contacts", "nobody"])),
  }),
  createGroup: v.strictObject({ name, members: v.optional(v.array(entityId)) }),
  userId: v.strictObject({ userId: entityId }),
};

export function parse(input: unknown) {
  const r = v.safeParse(clientFrame, input, { abortEarly: true });
  return r.success ? r.output : r.issues[0].message;
}
