// A member sends to `g:<groupId>`: the group object checks membership, gives
// the message its place in the group's order and stores it (the only copy);
// then this object takes it, with whatever of the group it had not taken yet,
// stores the run that gives it a seq, and answers `sent`.
//
// Crashes: a message the group stored but this object did not take (the
// call's answer lost) reaches it anyway through the group's push; a client
// retry posts again, and the group answers the same entry (it dedupes by
// sender + clientId), which this object has taken or takes now. The run is
// stored before `sent` leaves, so a retry after `sent` gets the same seq.

import { AppError } from "../../shared/errors";
import { FrameError } from "../../shared/protocol";
import type { PostReply } from "../group/post";
import type { GroupEntry } from "../group-entry";
import type { GroupObject } from "../group-object";
import type { OutgoingSend } from "./forward";
import type { GroupReader, GroupReads } from "./group-reads";
import { broadcast, send } from "./sockets";

/** What a group send uses: what the group reads use, and the reads themselves. */
export interface GroupSender extends GroupReader {
  reads: GroupReads;
}

export function groupStub(env: Env, groupId: string): DurableObjectStub<GroupObject> {
  return env.GROUPS.get(env.GROUPS.idFromName(groupId));
}

export async function sendToGroup(me: GroupSender, ws: WebSocket, frame: OutgoingSend, groupId: string): Promise<void> {
  const chat = `g:${groupId}`;
  const group = groupStub(me.env, groupId);
  const after = me.groups.get(chat)?.upto ?? "";
  let result: Awaited<ReturnType<typeof group.post>>;
  try {
    result = await group.post(
      me.userId,
      frame.clientId,
      frame.text,
      frame.replyTo,
      after,
      frame.forwarded,
      frame.media,
    );
  } catch (err) {
    console.warn(JSON.stringify({ event: "group_post_failed", group: groupId, error: String(err) }));
    throw new FrameError(new AppError("unavailable", "the group could not be reached; send again"), frame.clientId);
  }
  if (!result.ok) throw new FrameError(new AppError(result.error.code, result.error.message), frame.clientId);
  const reply = result.value;
  const entries = await catchUp(me, group, chat, reply, frame.clientId);
  const { frames, seq } = await takeOwn(me, chat, entries, reply);
  if (seq === null)
    throw new FrameError(new AppError("internal", "the message was not stored; send again"), frame.clientId);
  send(ws, { type: "sent", clientId: frame.clientId, id: reply.id, seq, ts: reply.ts });
  const sockets = me.sockets();
  for (const f of frames) broadcast(sockets, f);
}

/**
 * One synchronous block: takes the last page of an answer (it ends with the
 * author's own entry; a guest's in a hosted chat too, ./hosted-send.ts) and stores the runs at once, so the entry's seq is
 * durable before the answer leaves (output gate).
 */
export function takeOwn(me: GroupSender, chat: string, entries: GroupEntry[], reply: Pick<PostReply, "pos" | "id">) {
  return me.writes(() => {
    const frames = me.groups.take(chat, entries, me.reads.hidden);
    me.groups.flush();
    return { frames, seq: me.groups.seqOf(chat, reply.pos, reply.id) };
  });
}

/**
 * An answer owed more than one answer carries comes in pages: every page but
 * the last is taken (and shown) here, in the group's order, and the last,
 * which ends with the author's own entry, is returned for the caller's block.
 * So the author's devices never see its entry before entries that precede it.
 */
export async function catchUp(
  me: GroupSender,
  group: DurableObjectStub<GroupObject>,
  chat: string,
  reply: PostReply,
  clientId: string,
): Promise<GroupEntry[]> {
  let entries = reply.entries;
  for (;;) {
    const last = entries.at(-1);
    if (!last || last.id >= reply.id) return entries;
    await me.reads.take(chat, entries);
    let next: Awaited<ReturnType<typeof group.owedAfter>>;
    try {
      next = await group.owedAfter(me.userId, last.id, reply.id);
    } catch (err) {
      console.warn(JSON.stringify({ event: "group_catch_up_failed", error: String(err) }));
      throw new FrameError(new AppError("unavailable", "the group could not be reached; send again"), clientId);
    }
    if (!next.ok) throw new FrameError(new AppError(next.error.code, next.error.message), clientId);
    entries = next.value;
  }
}
