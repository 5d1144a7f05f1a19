// What other objects hand this user: messages and receipts from other users'
// outboxes (`accept`), a group's entries (`takeGroup`), and the entries of a
// one-to-one chat its peer hosts (`takeHosted`, ./hosted-push.ts). Each answers
// whether a device is connected: a group serves online members first, and no
// device connected means a Web Push (./web-push.ts).

import type { ServerFrame } from "../../shared/protocol";
import type { GroupEntry, PushAnswer } from "../group-entry";
import type { InboxItem } from "../inbox";
import { hosts } from "./hosted-append";
import { hostedSendIsOn } from "./hosted-send";
import type { UserParts } from "./parts";
import { broadcast } from "./sockets";
import type { ReactionNews } from "./web-push";

/** Idempotent. The answer leaves once the batch is committed: the sender forgets the items only then. */
export function accept(me: UserParts, items: InboxItem[]): Promise<{ online: boolean }> {
  return me.writes.run(() => {
    const frames = me.mailbox.accept(me.blocks.filter(items, me.userId, me.mailbox.changes));
    const sockets = me.ctx.getWebSockets();
    for (const frame of frames) broadcast(sockets, frame);
    if (sockets.length === 0)
      me.pushOffline(
        frames.flatMap((f) => (f.type === "message" ? [f.message] : [])),
        reactionNews(items, frames),
      );
    return { online: sockets.length > 0 };
  });
}

/**
 * A group pushes what a member has not taken (see group/fanout.ts); `after`
 * is where the group's cursor stood. Further than this object got means it
 * lost entries it had taken (a crash before they were written): it pulls
 * from where it really is.
 */
export async function takeGroup(
  me: UserParts,
  groupId: string,
  entries: GroupEntry[],
  after: string,
): Promise<PushAnswer> {
  const chat = `g:${groupId}`;
  // A first push to a new member finds no row either: it pulls its window once.
  if (after > (me.groups.get(chat)?.upto ?? "")) await me.groupReads.pull(chat);
  else await me.groupReads.take(chat, entries);
  const online = me.ctx.getWebSockets().length > 0;
  if (!online) me.pushOffline(entries.flatMap((e) => (e.change ? [] : [e.message])));
  // Devices' acknowledgements and reads gathered for this group ride back on the answer (./group-acks.ts).
  return { online, ...me.groupAcks.claim(chat) };
}

/**
 * The host of a one-to-one chat hands over its own entries of the chat's log
 * (./hosted-push.ts), taken into the `u:<host>` row as a group's are; `after`
 * is the id of the log's entry before the first of them. Further than this
 * object got (it lost entries in a crash before its runs were written, or
 * has not taken them yet), or a hole among them: it pulls from where it
 * really is. Answers null when
 * this object takes copies instead (HOSTED_GUEST_SEND off): the host then
 * delivers them the old way. While this user blocks the host, its messages
 * are taken hidden, as a blocked peer's copies are dropped.
 */
export async function takeHosted(
  me: UserParts,
  host: string,
  entries: GroupEntry[],
  after: string,
  reactions: ReactionNews[] = [],
): Promise<{ online: boolean } | null> {
  if (!hostedSendIsOn(me.env) || host === me.userId || !hosts(host, me.userId)) return null;
  const chat = `u:${host}`;
  const messages = entries.filter((e) => !e.change && e.message.from === host);
  if (me.blocks.has(host) && messages.length > 0) {
    await me.writes.run(() => {
      for (const e of messages) me.mailbox.changes.remember(e.id);
    });
  }
  const row = me.groups.get(chat);
  if (after > (row?.upto ?? "") || !follows(entries, row?.uptoPos ?? 0)) await me.groupReads.pull(chat);
  else await me.groupReads.take(chat, entries);
  const online = me.ctx.getWebSockets().length > 0;
  if (!online) {
    const shown = messages.filter((e) => !me.groupReads.hidden(e.id)).map((e) => e.message);
    me.pushOffline(shown, me.blocks.has(host) ? [] : reactions);
  }
  return { online };
}

/**
 * Whether the entries after position `upto` are the next ones, without a hole. The host hands
 * over its own entries only: a hole is the guest's own message, stored at the host and not yet
 * taken here (its answer on its way, or lost). Taken past, it would stay below the row's `upto`,
 * never to get a seq; a pull takes it in order.
 */
function follows(entries: GroupEntry[], upto: number): boolean {
  let at = upto;
  for (const e of entries) {
    if (e.pos <= at) continue;
    if (e.pos !== at + 1) return false;
    at = e.pos;
  }
  return true;
}

/** The reactions a delivery applied (each answered an `update` of its message), for a push. */
function reactionNews(items: InboxItem[], frames: ServerFrame[]): ReactionNews[] {
  const updated = new Map(frames.flatMap((f) => (f.type === "update" ? [[f.message.id, f.message] as const] : [])));
  return items.flatMap((item) => {
    const message = item.kind === "reaction" ? updated.get(item.id) : undefined;
    return item.kind === "reaction" && message
      ? [{ chat: item.chat, from: item.from, emoji: item.emoji, message }]
      : [];
  });
}
