// The server's error codes in words for people (docs/protocol.md lists them);
// the server's own `message` is for developers and is never shown raw.

import { ApiError } from "@edge-chat/client";

const WORDS: Record<string, string> = {
  network: "Cannot reach the server. Check the connection and try again.",
  too_large: "That is too big.",
  unsupported_media: "That picture is not a PNG, JPEG or WebP image.",
  too_late: "It is too late to change that message.",
  message_deleted: "That message was already deleted.",
  message_archived: "That message is too old to change.",
  archive_unreadable: "Older messages cannot be loaded right now.",
  not_your_message: "Only its sender can change that message.",
  not_member: "You are no longer a member of this group.",
  unknown_message: "That message is no longer here.",
  unknown_user: "There is no user with that name.",
  unknown_group: "That group does not exist.",
  already_member: "They are already in the group.",
  group_full: "The group is full.",
  forbidden: "Only a group admin can do that.",
  blocked: "You blocked this contact. Unblock them to send a message.",
  username_taken: "That username is taken.",
  invalid_username: "A username is 3 to 32 letters, digits, _ or . (no spaces).",
  invalid_password: "A password is 8 to 128 characters.",
  bad_credentials: "Wrong username or password.",
  too_many_attempts: "Too many attempts. Wait a few minutes and try again.",
  text_too_long: "The message is too long (at most 4096 characters).",
  rate_limited: "Slow down a little and try again.",
  unavailable: "The server is busy. Try again in a moment.",
  too_many_blocked: "You cannot block more people.",
  unknown_session: "That device is already logged out.",
};

export function errorInWords(err: unknown): string {
  if (!(err instanceof ApiError)) return "Something went wrong. Try again.";
  // invalid_field messages name the field and its limits, which is what a form needs.
  if (err.code === "invalid_field") return capitalised(err.message);
  return WORDS[err.code] ?? "Something went wrong. Try again.";
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1).replace(/\.?$/, ".");
}
