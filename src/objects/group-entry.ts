// What a group object hands to a member's object (UserObject.takeGroup, and
// the reads behind sync, history and search): entries of the group's one log,
// each with its position there. The group's log is the only stored copy of a
// group message; a member's object stores no row per entry, only which of its
// own seqs stand for which positions (user/group-chats.ts). See docs/groups.md.

import type { Message } from "../shared/protocol";

/** A message as the group's log holds it now (edits and deletes applied), without a member's seq. */
export type GroupMessage = Omit<Message, "seq">;

export interface GroupEntry {
  /** The entry's place in the log: dense, from 1, in id order. */
  pos: number;
  /** The entry's own id: the message's, or the change's. */
  id: string;
  /** A message entry: the message. A change entry (edit, delete): the changed message as it is now. */
  message: GroupMessage;
  /** On a change entry: the changed message's position; and the clientId, for the change's author only. */
  change?: { pos: number; clientId?: string };
}

/**
 * A member's answer to a push: whether a device of it is connected, and what
 * its devices acknowledged since, riding back instead of calls of their own
 * (user/group-acks.ts): "delivered up to" and "read up to".
 */
export interface PushAnswer {
  online: boolean;
  delivered?: string;
  read?: string;
}

/** The group a message id was made by: ids end with their origin's id (shared/ids.ts). */
export function originOf(id: string): string {
  return id.slice(-16);
}
