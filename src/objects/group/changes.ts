// Edits, deletes for everyone and reactions in a group. The group object is the
// authority: it checks who may change what and when, gives the change its
// place in the group's order (a log entry of its own, after the message), sets
// the message's new state in the log and fans the change out like a message,
// so every member gets it after the message and in the same order. Like a
// post, a retry with the same (author, clientId) gets the first answer.

import { AppError } from "../../shared/errors";
import type { ActionWindows } from "../action-windows";
import { type GroupParts, requireMember } from "./parts";
import { type PostReply, reply } from "./post";

export type GroupChange =
  | { action: "edit"; id: string; text: string }
  | { action: "delete"; id: string }
  /** This member's one reaction: set or replaced (an emoji), or removed (null). Any member who can see the message. */
  | { action: "react"; id: string; emoji: string | null };

export function change(
  g: GroupParts,
  author: string,
  clientId: string,
  request: GroupChange,
  windows: ActionWindows,
  after: string,
  now = Date.now(),
): PostReply {
  const earlier = g.log.findByClient(author, clientId);
  if (earlier) {
    if (earlier.target !== request.id || earlier.action !== request.action) {
      throw new AppError("invalid_field", "clientId was already used for another action");
    }
    return reply(g, author, earlier, after);
  }
  const member = requireMember(g, author);
  const message = g.views.message(author, request.id) ? g.log.get(request.id) : null;
  if (!message || message.target !== null) throw new AppError("unknown_message", "no such message in this chat");
  if (message.system) throw new AppError("forbidden", "system messages cannot be edited, deleted or reacted to");
  if (message.deletedAt !== null) throw new AppError("message_deleted", "that message was deleted");
  const own = message.sender === author;
  if (request.action === "react") {
    // Two rows: the change entry (order, fan-out, sync) and the reaction, replaced in place.
    const entry = g.log.append(
      { sender: author, text: "", clientId, change: { target: message.id, action: "react" } },
      now,
    );
    g.reactions.set(message.pos, author, request.emoji, entry.id);
    g.fanout.seen(author);
    g.fanout.notify(g.members.ids(), now);
    return reply(g, author, entry, after);
  }
  // Edits and deletes: its row may already be in R2, or on its way there, and
  // archived pages never change (docs/archive.md). Reactions live beside the
  // log (keyed by position), so they reach archived messages as they are.
  if (g.archive.index.covers(message.id)) throw new AppError("message_archived", "that message is archived");
  if (request.action === "edit") {
    if (!own) throw new AppError("not_your_message", "only its sender may edit a message");
    if (now - message.ts > windows.edit) throw new AppError("too_late", "the time to edit this message is over");
  } else if (member.role !== "admin") {
    // Admins may delete any message, at any time.
    if (!own) throw new AppError("not_your_message", "only its sender or a group admin may delete a message");
    if (now - message.ts > windows.delete) throw new AppError("too_late", "the time to delete this message is over");
  }
  const entry = g.log.append(
    { sender: author, text: "", clientId, change: { target: message.id, action: request.action } },
    now,
  );
  g.log.setState(
    message.id,
    request.action === "edit" ? { editedAt: entry.ts, text: request.text } : { deletedAt: entry.ts, by: author },
  );
  if (request.action === "edit") g.fanout.cursors.lowerReads(message.id, g.log.idBefore(message.pos));
  g.fanout.seen(author);
  g.fanout.notify(g.members.ids(), now);
  return reply(g, author, entry, after);
}

/** Who was meant to receive a message the caller sent: members then, current or since gone. */
export function readersOf(g: GroupParts, caller: string, id: string): string[] {
  const message = g.log.get(id);
  if (!message || message.target !== null || message.system) {
    throw new AppError("unknown_message", "no such message in this chat");
  }
  if (message.sender !== caller) throw new AppError("not_your_message", "only its sender may see a message's receipts");
  return g.members.readersOf(id).filter((user) => user !== caller);
}
