// A member's message: checked, deduplicated by (sender, clientId), given its
// place in the group's order and fanned out, all in one synchronous block, so
// the answer leaves only once all of it is durable.

import { AppError } from "../../shared/errors";
import type { GroupEntry } from "../group-entry";
import type { LogEntry } from "./log";
import { type GroupParts, requireMember } from "./parts";

/** What the sender's object needs to take the message and answer `sent`. */
export interface PostReply {
  id: string;
  ts: number;
  pos: number;
  /**
   * What the sender's object has not taken yet, up to and including this
   * entry, oldest first: taking these in one go keeps the sender's seqs in
   * group order even when earlier entries are still on their way to it.
   */
  entries: GroupEntry[];
}

const REPLY_ENTRIES_MAX = 100;

export function post(
  g: GroupParts,
  sender: string,
  clientId: string,
  text: string,
  replyTo: string | undefined,
  after: string,
  forwarded?: number,
  now = Date.now(),
): PostReply {
  // A retry gets the first answer, even if the sender has left since.
  const earlier = g.log.findByClient(sender, clientId);
  if (earlier) {
    if (earlier.target !== null) throw new AppError("invalid_field", "clientId was already used for another action");
    return reply(g, sender, earlier, after);
  }
  requireMember(g, sender);
  if (replyTo !== undefined) {
    // Only a message the sender may read: a quote must not show what came before it joined.
    const quoted = g.views.message(sender, replyTo);
    if (!quoted) throw new AppError("unknown_message", "no such message in this chat");
    if (quoted.message.system) throw new AppError("invalid_reply", "only messages can be quoted");
  }
  const entry = g.log.append(
    {
      sender,
      text,
      clientId,
      ...(replyTo === undefined ? {} : { replyTo }),
      ...(forwarded === undefined ? {} : { forwarded }),
    },
    now,
  );
  g.fanout.seen(sender);
  g.fanout.notify(g.members.ids(), now);
  return reply(g, sender, entry, after);
}

/**
 * What `author` has not taken after `after`, up to and including `entry`,
 * ending with it; or, when that is more than one answer carries, its first
 * page only (not ending with `entry`): the author's object asks for the rest
 * with `owedAfter`. Never the entry after a gap, or the author's devices would
 * see it before the entries in between (issue 20, item 3).
 */
export function reply(g: GroupParts, author: string, entry: LogEntry, after: string): PostReply {
  const answer = { id: entry.id, ts: entry.ts, pos: entry.pos };
  if (after >= entry.id) return { ...answer, entries: [g.views.view(entry, author)] };
  const entries = owedAfter(g, author, after, entry.id);
  const last = entries.at(-1);
  if (last?.id !== entry.id && entries.length < REPLY_ENTRIES_MAX) entries.push(g.views.view(entry, author));
  return { ...answer, entries };
}

/** The next page of what `member` may take after log id `after`, up to and including `upTo`. */
export function owedAfter(g: GroupParts, member: string, after: string, upTo: string): GroupEntry[] {
  return g.views.scanFor(member, after, REPLY_ENTRIES_MAX).entries.filter((entry) => entry.id <= upTo);
}
