// Creating a group and changing who is in it. Each change is an entry in the
// group's log (a system message), so members see it in order with the rest,
// and it is fanned out in the same synchronous block that makes it: either
// all of it commits or none of it does.

import { AppError } from "../../shared/errors";
import { GROUP_MEMBERS_MAX } from "../../shared/limits";
import type { Group } from "../../shared/protocol";
import { describe, type GroupParts, requireAdmin, requireMember } from "./parts";

export function info(g: GroupParts, caller: string): Group {
  requireMember(g, caller);
  return describe(g);
}

/** The creator becomes the admin; `others` (distinct, existing users) are members. */
export function create(g: GroupParts, creator: string, name: string, others: string[], now = Date.now()): Group {
  if (g.meta.get("name") !== undefined) throw new AppError("internal", "this group already exists");
  const everyone = [creator, ...others.filter((id) => id !== creator)];
  if (everyone.length > GROUP_MEMBERS_MAX) {
    throw new AppError("group_full", `a group has at most ${GROUP_MEMBERS_MAX} members`);
  }
  g.meta.set("name", name);
  g.meta.set("created_at", now);
  const before = g.log.lastId;
  const entry = g.log.append({ sender: creator, text: name, system: { event: "created", user: creator } }, now);
  for (const user of everyone) {
    g.members.add(user, user === creator ? "admin" : "member", entry.id, now);
    g.fanout.cursors.open(user, before);
  }
  g.fanout.notify(everyone, now);
  return describe(g);
}

/** Admins add an existing user; the new member receives from the "added" entry on. */
export function addMember(g: GroupParts, by: string, user: string, now = Date.now()): Group {
  requireAdmin(g, by);
  if (g.members.get(user)) throw new AppError("already_member", "that user is already a member");
  if (g.members.count() >= GROUP_MEMBERS_MAX) {
    throw new AppError("group_full", `a group has at most ${GROUP_MEMBERS_MAX} members`);
  }
  const before = g.log.lastId;
  const entry = g.log.append({ sender: by, text: "", system: { event: "added", user, by } }, now);
  g.members.add(user, "member", entry.id, now);
  g.fanout.cursors.open(user, before);
  g.fanout.notify(g.members.ids(), now);
  return describe(g);
}

/**
 * Admins remove a member; anyone may remove themselves (leave). The one who
 * goes still receives this entry, and nothing after it.
 */
export function removeMember(g: GroupParts, by: string, user: string, now = Date.now()): Group {
  const actor = requireMember(g, by);
  if (user !== by && actor.role !== "admin") {
    throw new AppError("forbidden", "only the group's admins may remove others");
  }
  const target = g.members.get(user);
  if (!target) throw new AppError("unknown_member", "that user is not a member of this group");
  const system = user === by ? { event: "left" as const, user } : { event: "removed" as const, user, by };
  const recipients = g.members.ids();
  const entry = g.log.append({ sender: by, text: "", system }, now);
  g.members.remove(target, entry.id);
  g.members.ensureAdmin();
  g.fanout.notify(recipients, now);
  return describe(g);
}
