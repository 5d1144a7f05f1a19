// `send`: a message to a one-to-one chat (../direct-send.ts) or to a group
// (../group-send.ts), or a forward of one (../forward.ts). Sends take turns (UserParts.inTurn), so one look for a
// retry is enough: nothing else can store this clientId before this one does.

import { AppError } from "../../../shared/errors";
import { type ClientFrameOf, FrameError, parseChat } from "../../../shared/protocol";
import { originOf } from "../../group-entry";
import { type OutgoingSend, resolveForward } from "../forward";
import { sendToGroup } from "../group-send";
import { goesToHost, sendToHost } from "../hosted-send";
import { attachMedia, withdrawMedia } from "../media-send";
import type { UserParts } from "../parts";
import { groupSide, guestSide } from "../sides";

export async function onSend(me: UserParts, ws: WebSocket, sent: ClientFrameOf<"send">): Promise<void> {
  // A retry: the same clientId gets the same answer and stores nothing.
  if (me.direct.answerRetry(ws, sent)) return;
  // A forward becomes the source's content (its media too) and hop count (../forward.ts).
  const frame = await resolveForward(
    { mailbox: me.mailbox, groups: me.groups, reads: me.groupReads, archive: me.archiveReads },
    sent,
  ).catch((err: unknown) => {
    throw err instanceof AppError && !(err instanceof FrameError) ? new FrameError(err, sent.clientId) : err;
  });
  // Media: granted to the chat before the message is stored, withdrawn if the send is refused (../media-send.ts).
  // A forward's media is granted the same way: its sender could read it, so the new chat may.
  const side = { userId: me.userId, env: me.env, media: me.media };
  await attachMedia(side, frame);
  try {
    await store(me, ws, frame);
  } catch (err) {
    if (frame.media) await withdrawMedia(side, frame, err);
    throw err;
  }
}

async function store(me: UserParts, ws: WebSocket, frame: OutgoingSend): Promise<void> {
  const chat = parseChat(frame.chat);
  // The group, or the host of a hosted chat, checks the quote against the one copy it holds and
  // knows nothing of this user's other chats: a message of another chat is refused here. One-to-one,
  // after `blocked` and `unknown_user`, in the order a send checks them.
  const passed = async () => chat.kind === "group" || (!me.blocks.has(chat.id) && (await me.direct.exists(chat.id)));
  if (frame.replyTo !== undefined && (await passed()) && (await quotesElsewhere(me, frame, frame.replyTo))) {
    throw new FrameError(new AppError("invalid_reply", "a reply quotes a message of the same chat"), frame.clientId);
  }
  if (chat.kind === "group") return sendToGroup(groupSide(me), ws, frame, chat.id);
  // Behind a switch (HOSTED_GUEST_SEND in wrangler.toml): a send to a peer that hosts the chat is stored there only (../hosted-send.ts).
  if (goesToHost(me, frame, chat.id)) return sendToHost(guestSide(me), ws, frame, chat.id);
  return me.direct.send(ws, frame, chat.id);
}

/**
 * Whether `replyTo` is a message of another of this user's chats: a row of its mailbox (in
 * SQLite, or moved to R2), or an entry of a chat another user hosts for it (its id ends with
 * that host's id; only the host's log has it, its pages included). One call, to that host,
 * only for such an id; unreachable is "no".
 */
async function quotesElsewhere(me: UserParts, frame: OutgoingSend, replyTo: string): Promise<boolean> {
  const { chat } = frame;
  const row = me.mailbox.findById(replyTo);
  if (row) return row.chat !== chat;
  // A direct send reads its archived quote itself, and refuses another chat's (../direct-send.ts). An id
  // made by the chat's own clock (its group's, or its host's: the usual reply) is of this chat: no look.
  const peer = chat.slice(2);
  const direct = chat.startsWith("u:") && !goesToHost(me, frame, peer);
  const archived = direct || originOf(replyTo) === peer ? null : await me.archiveReads.quote(replyTo);
  if (archived) return archived.chat !== chat;
  const hosted = `u:${originOf(replyTo)}`;
  if (hosted === chat || !me.groups.get(hosted)) return false;
  return (await me.groupReads.message(hosted, replyTo).catch(() => null)) !== null;
}
