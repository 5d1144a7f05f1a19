// The same schema set in zod/mini.
import * as z from "zod/mini";

const entityId = z.string().check(z.regex(/^[0-9a-z]{16}$/));
const messageId = z.string().check(z.regex(/^[0-9a-z]{29}$/));
const chat = z.string().check(z.regex(/^[ug]:[0-9a-z]{16}$/));
const clientId = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[\x21-\x7e]+$/));
const text = z.string().check(z.minLength(1), z.maxLength(4096));
const name = z.string().check(z.trim(), z.minLength(1), z.maxLength(64));

export const clientFrame = z.discriminatedUnion("type", [
  z.object({ type: z.literal("send"), clientId, chat, text, replyTo: z.optional(messageId) }),
  z.object({ type: z.literal("edit"), clientId, id: messageId, text }),
  z.object({ type: z.literal("delete"), clientId, id: messageId, for: z.enum(["everyone", "me"]) }),
  z.object({ type: z.literal("received"), ids: z.array(messageId).check(z.minLength(1), z.maxLength(1000)) }),
  z.object({ type: z.literal("read"), chat, upTo: messageId }),
  z.object({ type: z.literal("sync"), after: z.int().check(z.minimum(0)), batch: z.optional(z.boolean()) }),
  z.object({ type: z.literal("typing"), chat }),
  z.object({ type: z.literal("subscribe"), users: z.array(entityId).check(z.minLength(1), z.maxLength(500)) }),
]);

export const bodies = {
  register: z.strictObject({
    username: z.string().check(z.toLowerCase(), z.regex(/^[a-z0-9_.]{3,32}$/)),
    password: z.string().check(z.minLength(8), z.maxLength(128)),
    displayName: z.optional(name),
    device: z.optional(name),
  }),
  login: z.strictObject({ username: z.string(), password: z.string(), device: z.optional(name) }),
  patchMe: z.strictObject({
    displayName: z.optional(name),
    about: z.optional(z.string().check(z.maxLength(140))),
    lastSeenVisibility: z.optional(z.enum(["everyone", "contacts", "nobody"])),
  }),
  createGroup: z.strictObject({ name, members: z.optional(z.array(entityId)) }),
  userId: z.strictObject({ userId: entityId }),
};

export function parse(input: unknown) {
  const r = z.safeParse(clientFrame, input);
  return r.success ? r.data : r.error.issues[0]?.message;
}
