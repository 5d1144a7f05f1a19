// Who may read a group as a chat (its history, its message info, marking it
// read): a member now, or a former member for what it had. The user's own
// mailbox answers the usual case without a call (it holds the chat's row once
// anything of the group reached it); otherwise the group object decides. An
// unknown group and a group the caller is not in get the same answer,
// `not_member`, so the answer says nothing about which groups exist
// (docs/security.md, "Chats one is not in").

import { AppError, type Result } from "../../shared/errors";

export interface GroupAccess {
  /** The user's group rows (./group-chats.ts: read once, then kept in memory; a `read` frame asks at every read). */
  groups: { get(chat: string): unknown };
  userId: string;
  env: Env;
}

export async function requireGroupReader(me: GroupAccess, groupId: string): Promise<void> {
  if (me.groups.get(`g:${groupId}`) !== null) return;
  let answer: Result<null>;
  try {
    answer = await me.env.GROUPS.get(me.env.GROUPS.idFromName(groupId)).canRead(me.userId);
  } catch (err) {
    console.warn(JSON.stringify({ event: "group_access_failed", group: groupId, error: String(err) }));
    throw new AppError("unavailable", "the group could not be reached; try again");
  }
  if (!answer.ok) throw new AppError(answer.error.code, answer.error.message);
}
