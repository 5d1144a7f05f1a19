// The pieces of one group object, handed to the operations in membership.ts
// and post.ts, plus the checks they share.

import { AppError } from "../../shared/errors";
import type { Group } from "../../shared/protocol";
import type { Meta } from "../storage/meta";
import type { GroupArchive } from "./archive";
import type { ArchiveAlarm } from "./archive-alarm";
import type { FanOut } from "./fanout";
import type { GroupLog } from "./log";
import type { Member, Members } from "./members";
import type { GroupReactions } from "./reactions";
import type { GroupReceipts } from "./receipts";
import type { LogViews } from "./views";

export interface GroupParts {
  id: string;
  meta: Meta;
  members: Members;
  log: GroupLog;
  views: LogViews;
  fanout: FanOut;
  receipts: GroupReceipts;
  reactions: GroupReactions;
  archive: GroupArchive;
  archiving: ArchiveAlarm;
}

export function requireMember(g: GroupParts, user: string): Member {
  const member = g.members.get(user);
  if (!member) throw new AppError("not_member", "you are not a member of this group");
  return member;
}

/**
 * Reading the group as a chat (its history, its receipts): members now, and
 * former members for what they had. Outsiders get the same answer as an
 * unknown group (see GroupObject.asChat), so nothing says the group exists.
 */
export function requireReader(g: GroupParts, user: string): void {
  if (!g.members.everMember(user)) throw new AppError("not_member", "you are not a member of this chat");
}

export function requireAdmin(g: GroupParts, user: string): Member {
  const member = requireMember(g, user);
  if (member.role !== "admin") throw new AppError("forbidden", "only the group's admins may do that");
  return member;
}

/** The group as the API shows it (display names are added by the Worker). */
export function describe(g: GroupParts): Group {
  const description = g.meta.get("description");
  const picture = g.meta.get("picture");
  return {
    id: g.id,
    name: g.meta.get("name") ?? "",
    ...(description ? { description } : {}),
    ...(picture ? { picture: groupPictureUrl(g.id, picture) } : {}),
    members: g.members.list().map((m) => ({ id: m.id, role: m.role })),
  };
}

/** A group picture's versioned URL: the same bytes for good, so it may be cached forever. */
export function groupPictureUrl(groupId: string, version: string): string {
  return `/api/groups/${groupId}/picture?v=${version}`;
}
