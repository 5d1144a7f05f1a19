// What a member's object pulls from the group: the log after a position it
// has (catching up after a gap, or before a sync), as that member may read
// it, with its read position here when further than the one it knows
// (./read-marks.ts). See docs/groups.md.

import type { GroupEntry } from "../group-entry";
import type { GroupParts } from "./parts";

/** A page of a pull; `read`: the member's read position here and its unread count up to the page's `after`. */
export interface PulledPage {
  entries: GroupEntry[];
  through: string | null;
  read?: { upTo: string; unread: number };
}

/**
 * What `member` may read after log id `after`. With `known` (the read
 * position its object has), also its read position here when further, and
 * its unread count up to `after`: an object evicted before its row was
 * written takes its read back from here (./read-marks.ts).
 */
export function pullPage(g: GroupParts, member: string, after: string, limit: number, known?: string): PulledPage {
  const max = Math.min(limit, 1000);
  // A member now reads the tail pushes share (most pulls: members evicted before their batch, all at
  // one position); its past spans end before `since`, so they decide nothing after `after`.
  const since = g.members.sinceOf(member);
  const page: PulledPage =
    (since !== null ? g.views.shared.readable(member, since, after, max) : null) ??
    g.views.scanFor(member, after, max, "readable");
  const read = known === undefined ? "" : (g.fanout.marksOf(member)?.read ?? "");
  if (known !== undefined && read > known) page.read = { upTo: read, unread: g.receipts.unread(member, read, after) };
  return page;
}
