// A group's name, description and picture, changed by its admins. Each change
// is a system entry in the group's log (renamed, described, pictured,
// unpictured), fanned out in the same synchronous block that stores it, so
// every member sees it in order with the messages. The values live in the
// group's meta table (`name`, `description`, `picture`: the picture's
// version, its bytes are in R2 under groupPictureKey).

import type { Group, SystemEvent } from "../../shared/protocol";
import { describe, type GroupParts, requireAdmin, requireMember } from "./parts";

export interface GroupPatch {
  name?: string;
  description?: string;
}

/** Admins change the name and/or the description; a value equal to the current one adds no entry. */
export function patchGroup(g: GroupParts, by: string, patch: GroupPatch, now = Date.now()): Group {
  requireAdmin(g, by);
  if (patch.name !== undefined && patch.name !== g.meta.get("name")) {
    g.meta.set("name", patch.name);
    announce(g, by, "renamed", patch.name, now);
  }
  if (patch.description !== undefined && patch.description !== (g.meta.get("description") ?? "")) {
    g.meta.set("description", patch.description);
    announce(g, by, "described", patch.description, now);
  }
  return describe(g);
}

/** Whether `by` may change the group (before the Worker stores a picture's bytes). */
export function checkAdmin(g: GroupParts, by: string): null {
  requireAdmin(g, by);
  return null;
}

/**
 * Points the group at a new picture version (or at none with null) and
 * answers the version it replaced, for the Worker to delete its bytes.
 */
export function setPicture(
  g: GroupParts,
  by: string,
  version: string | null,
  now = Date.now(),
): { group: Group; previous: string | null } {
  requireAdmin(g, by);
  const previous = g.meta.get("picture") || null;
  if (version === null && previous === null) return { group: describe(g), previous };
  g.meta.set("picture", version ?? "");
  announce(g, by, version === null ? "unpictured" : "pictured", "", now);
  return { group: describe(g), previous };
}

/** The picture's current version for a member (null: no picture); unknown callers get not_member. */
export function pictureFor(g: GroupParts, caller: string | null): string | null {
  if (caller !== null) requireMember(g, caller);
  return g.meta.get("picture") || null;
}

function announce(g: GroupParts, by: string, event: SystemEvent["event"], text: string, now: number): void {
  g.log.append({ sender: by, text, system: { event, user: by, by } }, now);
  g.fanout.notify(g.members.ids(), now);
}
