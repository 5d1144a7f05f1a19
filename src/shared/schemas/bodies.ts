// The JSON bodies of the HTTP routes. Every body has a fixed set of fields:
// an unknown key is refused (see parseBody), so a typo is not silently dropped.

import * as v from "valibot";
import { AppError } from "../errors";
import {
  ABOUT_MAX,
  DEVICE_NAME_MAX,
  DISPLAY_NAME_MAX,
  GROUP_DESCRIPTION_MAX,
  GROUP_NAME_MAX,
  PASSWORD_MAX,
} from "../limits";
import { checkNewPassword, checkUsername } from "../text-rules";
import { asObject, entriesOf, maxChars, parseWith, says } from "./check";
import { entityId, name } from "./fields";
import { LAST_SEEN_VISIBILITIES } from "./objects";

/** Usernames are case-insensitive: stored and compared in lower case. */
export function normalizeUsername(username: string): string {
  return username.toLowerCase();
}

const device = v.optional(name("device", 1, DEVICE_NAME_MAX));

export const registerBody = v.pipe(
  v.strictObject({
    username: v.pipe(
      v.string(says("invalid_username", "username must be a string")),
      v.transform(normalizeUsername),
      v.transform(checkUsername),
      v.description("3-32 of a-z 0-9 _ . with a letter or digit, case-insensitive"),
    ),
    password: v.pipe(
      v.string(says("invalid_password", "password must be a string")),
      // Everything but "not the username", which needs both fields (below).
      v.transform((password) => checkNewPassword(password, "")),
      v.description("8-128 characters, not only spaces, not the username, not a common password"),
    ),
    displayName: v.optional(name("displayName", 1, DISPLAY_NAME_MAX)),
    /** A name for this device in the list of linked devices (else its User-Agent). */
    device,
  }),
  v.check(
    (body) => body.password.toLowerCase() !== body.username,
    says("invalid_password", "password must not be the username"),
  ),
);

export const loginBody = v.strictObject({
  username: v.pipe(v.string(), maxChars(64), v.transform(normalizeUsername)),
  password: v.pipe(v.string(), maxChars(PASSWORD_MAX)),
  device,
});

export const patchMeBody = v.strictObject({
  displayName: v.optional(name("displayName", 1, DISPLAY_NAME_MAX)),
  about: v.optional(name("about", 0, ABOUT_MAX)),
  lastSeenVisibility: v.optional(v.picklist(LAST_SEEN_VISIBILITIES)),
});

export const createGroupBody = v.strictObject({
  name: name("name", 1, GROUP_NAME_MAX),
  members: v.optional(
    v.pipe(
      v.array(entityId),
      v.transform((ids) => [...new Set(ids)]),
    ),
    [],
  ),
});

/** `PATCH /api/groups/:id` (admins): the name by the rules of creation, the description as `about` ("" clears it). */
export const patchGroupBody = v.strictObject({
  name: v.optional(name("name", 1, GROUP_NAME_MAX)),
  description: v.optional(name("description", 0, GROUP_DESCRIPTION_MAX)),
});

/** `POST /api/groups/:id/members` and `POST /api/me/blocked`. */
export const userIdBody = v.strictObject({ userId: entityId });

export type RegisterBody = v.InferOutput<typeof registerBody>;
export type LoginBody = v.InferOutput<typeof loginBody>;
export type PatchMeBody = v.InferOutput<typeof patchMeBody>;
export type CreateGroupBody = v.InferOutput<typeof createGroupBody>;
export type PatchGroupBody = v.InferOutput<typeof patchGroupBody>;
export type UserIdBody = v.InferOutput<typeof userIdBody>;

/**
 * A body checked by its schema: a JSON object (invalid_body), with no key
 * but the schema's (invalid_field, checked first, `__proto__` included),
 * then each field in order.
 */
export function parseBody<S extends v.GenericSchema>(schema: S, body: unknown): v.InferOutput<S> {
  const fields = asObject(body, "body", "invalid_body");
  const entries = entriesOf(schema) ?? {};
  for (const key of Object.keys(fields)) {
    if (!Object.hasOwn(entries, key))
      throw new AppError("invalid_field", `${key.slice(0, 64)} is not a field of this body`);
  }
  return parseWith(schema, fields);
}
