// `react` frames: a user's one reaction to a message, set, replaced or
// removed (emoji null). In a one-to-one chat this object is the authority on
// its user's reaction: it stores it beside the message in its own mailbox and
// hands it to the peer through the outbox, in one block, as an edit travels.
// A group message's reaction is decided by its group (any member who can see
// the message), then taken here as an edit is. See docs/actions.md.

import { AppError } from "../../shared/errors";
import { type ClientFrame, FrameError, type Message, parseChat } from "../../shared/protocol";
import { originOf } from "../group-entry";
import type { InboxReaction } from "../inbox";
import { type Actor, changeInGroup } from "./actions";
import type { Blocks } from "./blocks";
import { changeInHost, hostOfMessage } from "./hosted-guest-edit";
import { missingMessage } from "./mailbox-archive-reads";
import { broadcast, send } from "./sockets";

type ReactFrame = Extract<ClientFrame, { type: "react" }>;

export interface Reactor extends Actor {
  blocks: Blocks;
}

export async function react(me: Reactor, ws: WebSocket, frame: ReactFrame): Promise<void> {
  try {
    await run(me, ws, frame);
  } catch (err) {
    throw err instanceof AppError && !(err instanceof FrameError) ? new FrameError(err, frame.clientId) : err;
  }
}

async function run(me: Reactor, ws: WebSocket, frame: ReactFrame): Promise<void> {
  const stored = me.mailbox.findById(frame.id);
  // A group message (its log holds the one copy, and older ones too): the group checks who may see it.
  if (stored?.chat.startsWith("g:") || (!stored && me.groups.isGroupMessage(frame.id))) {
    const request = { action: "react" as const, id: frame.id, emoji: frame.emoji };
    return changeInGroup(me, ws, frame.clientId, request, stored ? parseChat(stored.chat).id : originOf(frame.id));
  }
  // A message of a chat its peer hosts: the host decides (./hosted-guest-edit.ts).
  const host = stored ? null : hostOfMessage(me, frame.id);
  if (host !== null) {
    // Blocked: refused, unless a retry (the host holds its key), which gets the first answer.
    const blocked = me.blocks.has(host)
      ? new AppError("blocked", "you blocked this user; unblock them to react")
      : undefined;
    const request = { action: "react" as const, id: frame.id, emoji: frame.emoji };
    return changeInHost(me, ws, frame.clientId, request, host, blocked);
  }
  // A retry gets the first answer and changes nothing.
  const earlier = me.mailbox.reactions.answerRetry(frame.id, frame.clientId);
  if (earlier) return send(ws, earlier);
  if (!stored) throw await missingMessage(me.archived, frame.id);
  if (stored.system) throw new AppError("forbidden", "system messages cannot be reacted to");
  if (stored.deletedAt !== undefined) throw new AppError("message_deleted", "that message was deleted");
  const peer = stored.chat.slice(2);
  if (peer !== me.userId && me.blocks.has(peer)) {
    throw new AppError("blocked", "you blocked this user; unblock them to react");
  }
  return me.writes(() => oneToOne(me, frame, stored, peer));
}

/** One synchronous block: own mailbox (row and entry) and the outbox row for the peer commit together. */
function oneToOne(me: Reactor, frame: ReactFrame, message: Message, peer: string): void {
  const now = Date.now();
  const { id: cid } = me.ids.next(now);
  const item: InboxReaction = {
    kind: "reaction",
    cid,
    chat: message.chat,
    id: message.id,
    from: me.userId,
    emoji: frame.emoji ?? "",
  };
  const answer = me.mailbox.reactions.accept({ ...item, clientId: frame.clientId });
  if (!answer) throw new AppError("internal", "the reaction was not stored; try again");
  if (peer !== me.userId) me.outbox.enqueue(peer, [{ ...item, chat: `u:${me.userId}` }], now);
  broadcast(me.sockets(), answer);
  if (peer !== me.userId) void me.outbox.kick(peer);
}
