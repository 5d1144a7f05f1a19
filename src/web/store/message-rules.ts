// What the message menu offers for a message: the server's rules
// (docs/protocol.md, Message actions), checked before asking it.

import { DELETE_WINDOW_MS, EDIT_WINDOW_MS } from "../../shared/limits";
import type { Group, Message } from "../../shared/protocol";

export interface Allowed {
  reply: boolean;
  edit: boolean;
  deleteForEveryone: boolean;
  info: boolean;
  react: boolean;
  forward: boolean;
}

export function allowedOn(
  message: Message,
  me: string,
  group: Group | undefined,
  member: boolean,
  now = Date.now(),
): Allowed {
  const mine = message.from === me;
  const live = message.deletedAt === undefined && message.system === undefined;
  const admin = group?.members.some((m) => m.id === me && m.role === "admin") ?? false;
  return {
    reply: live && member,
    edit: live && member && mine && now - message.ts < EDIT_WINDOW_MS,
    deleteForEveryone: live && member && ((mine && now - message.ts < DELETE_WINDOW_MS) || admin),
    info: mine && message.system === undefined,
    react: live && member,
    forward: live,
  };
}
