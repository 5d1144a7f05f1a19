// A member sends to `g:<groupId>`: the group object checks membership, gives
// the message its place in the group's order, stores it and fans it out; then
// this object stores it in the sender's own mailbox and answers `sent`.
//
// Crashes: a message the group stored but this object did not (the call's
// answer lost) reaches this mailbox anyway through the group's fan-out, with
// its clientId; a client retry either finds it here by clientId or posts
// again, and the group answers the same id (it dedupes by sender + clientId).
// Either way the retry gets the same answer and nothing is stored twice.

import { AppError } from "../../shared/errors";
import { type ClientFrame, FrameError } from "../../shared/protocol";
import { logPosition } from "../group/log";
import type { PostReply } from "../group/post";
import type { GroupObject } from "../group-object";
import type { InboxItem } from "../inbox";
import type { Mailbox } from "./mailbox";
import { broadcast, send } from "./sockets";

type SendFrame = Extract<ClientFrame, { type: "send" }>;

export interface GroupSender {
  userId: string;
  env: Env;
  mailbox: Mailbox;
  sockets: () => WebSocket[];
}

export async function sendToGroup(me: GroupSender, ws: WebSocket, frame: SendFrame, groupId: string): Promise<void> {
  const group = me.env.GROUPS.get(me.env.GROUPS.idFromName(groupId));
  let result: Awaited<ReturnType<typeof group.post>>;
  try {
    result = await group.post(me.userId, frame.clientId, frame.text, frame.replyTo);
  } catch (err) {
    console.warn(JSON.stringify({ event: "group_post_failed", group: groupId, error: String(err) }));
    throw new FrameError(new AppError("unavailable", "the group could not be reached; send again"), frame.clientId);
  }
  if (!result.ok) throw new FrameError(new AppError(result.error.code, result.error.message), frame.clientId);

  // One synchronous block: the rows commit together and `sent` leaves only
  // once they are durable (output gate). The items end with this message.
  const items = await catchUp(me, group, result.value, frame.clientId);
  const frames = me.mailbox.accept(items);
  const own = me.mailbox.findById(result.value.id);
  if (!own) throw new FrameError(new AppError("internal", "the message was not stored; send again"), frame.clientId);
  send(ws, { type: "sent", clientId: frame.clientId, id: own.id, seq: own.seq, ts: own.ts });
  const sockets = me.sockets();
  for (const f of frames) broadcast(sockets, f);
}

/**
 * A reply owed more than one answer carries comes in pages: every page but the
 * last is stored (and shown) here, in the group's order, and the last, which
 * ends with the message itself, is returned for the caller's own block. So the
 * sender's devices never see its message before entries that precede it.
 */
export async function catchUp(
  me: GroupSender,
  group: DurableObjectStub<GroupObject>,
  reply: PostReply,
  clientId: string,
): Promise<InboxItem[]> {
  let items = reply.items;
  for (;;) {
    const last = items.at(-1);
    if (!last || logPosition(last) >= reply.id) return items;
    const sockets = me.sockets();
    for (const f of me.mailbox.accept(items)) broadcast(sockets, f);
    let next: Awaited<ReturnType<typeof group.owedAfter>>;
    try {
      next = await group.owedAfter(me.userId, logPosition(last), reply.id);
    } catch (err) {
      console.warn(JSON.stringify({ event: "group_catch_up_failed", error: String(err) }));
      throw new FrameError(new AppError("unavailable", "the group could not be reached; send again"), clientId);
    }
    if (!next.ok) throw new FrameError(new AppError(next.error.code, next.error.message), clientId);
    items = next.value;
  }
}
