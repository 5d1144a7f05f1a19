// What the HTTP routes read of a user's chats (by RPC on the user object):
// the chat list, a page of a chat, and a chat's mute.

import { settle } from "../../shared/errors";
import { HISTORY_LIMIT_MAX } from "../../shared/limits";
import type { MuteState } from "../../shared/mute";
import { type ChatId, type ChatSummary, type Message, type MutedUntil, parseChat } from "../../shared/protocol";
import { listChats } from "./chat-list";
import { requireGroupReader } from "./group-access";
import { hostedHistory, readsHosted } from "./hosted-views";
import { muteChat } from "./mutes";
import type { UserParts } from "./parts";
import { access } from "./sides";
import { broadcast } from "./sockets";

export function history(me: UserParts, chat: string, before: string | undefined, limit: number): Promise<Message[]> {
  const ref = parseChat(chat);
  const bounded = Math.min(Math.max(1, limit), HISTORY_LIMIT_MAX);
  if (ref.kind === "group") return me.groupReads.history(`g:${ref.id}`, before, bounded);
  const direct: ChatId = `u:${ref.id}`;
  // A chat its peer hosts: the host's log after the floor, this mailbox below it (./hosted-views.ts).
  if (readsHosted(me.groups, direct))
    return hostedHistory(me.groupReads, me.groups, me.archiveReads, direct, before, bounded);
  // SQLite first, then archived pages if it is short (./mailbox-archive-reads.ts).
  return me.archiveReads.history(direct, before, bounded);
}

/** A page of a chat, for a group only if the caller is or was in it. */
export function readChat(me: UserParts, chat: string, before: string | undefined, limit: number) {
  return settle(async () => {
    const ref = parseChat(chat);
    if (ref.kind === "group") await requireGroupReader(access(me), ref.id);
    return history(me, chat, before, limit);
  });
}

export async function chats(me: UserParts): Promise<ChatSummary[]> {
  await me.groupReads.pullAll(false);
  const list = listChats(me.mailbox, me.groups, me.groupReads.hidden);
  const muted = me.mutes.all(Date.now());
  if (muted.size === 0) return list;
  return list.map((s) => {
    const until = muted.get(s.chat);
    return until === undefined ? s : { ...s, mutedUntil: until };
  });
}

export function mute(me: UserParts, chat: ChatId, until: MutedUntil | null) {
  return settle<MuteState>(async () => {
    const state = await muteChat(me.mutes, chat, until, {
      groupReader: (id) => requireGroupReader(access(me), id),
      userExists: (id) => me.direct.exists(id),
    });
    // Every device shows the new mute at once, not at its next chat list.
    broadcast(me.ctx.getWebSockets(), { type: "chat", chat, mutedUntil: state.mutedUntil });
    return state;
  });
}
