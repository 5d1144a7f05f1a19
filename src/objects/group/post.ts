// A member's message: checked, deduplicated by (sender, clientId), given its
// place in the group's order and fanned out, all in one synchronous block, so
// the answer leaves only once all of it is durable.

import { AppError } from "../../shared/errors";
import type { InboxItem } from "../inbox";
import { type LogEntry, logPosition } from "./log";
import { type GroupParts, requireMember } from "./parts";

/** What the sender's object needs to store the message and answer `sent`. */
export interface PostReply {
  id: string;
  ts: number;
  /**
   * What the sender is owed up to and including this message, oldest first:
   * storing these in one go keeps the sender's mailbox in group order even
   * when earlier entries are still on their way to it.
   */
  items: InboxItem[];
}

const REPLY_ITEMS_MAX = 100;

export function post(
  g: GroupParts,
  sender: string,
  clientId: string,
  text: string,
  replyTo?: string,
  now = Date.now(),
): PostReply {
  // A retry gets the first answer, even if the sender has left since.
  const earlier = g.log.findByClient(sender, clientId);
  if (earlier) {
    if (earlier.target !== null) throw new AppError("invalid_field", "clientId was already used for another action");
    return reply(g, sender, earlier);
  }
  requireMember(g, sender);
  if (replyTo !== undefined) {
    const quoted = g.log.get(replyTo);
    if (!quoted) throw new AppError("unknown_message", "no such message in this chat");
    if (quoted.target !== null || quoted.system) throw new AppError("invalid_reply", "only messages can be quoted");
  }
  const entry = g.log.append(
    replyTo === undefined ? { sender, text, clientId } : { sender, text, clientId, replyTo },
    now,
  );
  g.fanout.seen(sender);
  g.fanout.notify(g.members.ids(), now);
  return reply(g, sender, entry);
}

/**
 * What `author` is owed up to and including `entry`, ending with it; or, when
 * that is more than one answer carries, its first page only (not ending with
 * `entry`): the author's object asks for the rest with `owedAfter`. Never the
 * entry after a gap, or the author's devices would see it before the entries
 * in between (issue 20, item 3).
 */
export function reply(g: GroupParts, author: string, entry: LogEntry): PostReply {
  const owed = g.fanout.owedTo(author, REPLY_ITEMS_MAX);
  const items = owed.filter((item) => logPosition(item) <= entry.id);
  const last = items.at(-1);
  if (last && logPosition(last) !== entry.id && items.length === REPLY_ITEMS_MAX) {
    return { id: entry.id, ts: entry.ts, items };
  }
  if (!last || logPosition(last) !== entry.id) items.push(g.log.toItem(entry, author));
  return { id: entry.id, ts: entry.ts, items };
}

/** The next page of what `member` is owed after log position `after`, up to and including `upTo`. */
export function owedAfter(g: GroupParts, member: string, after: string, upTo: string): InboxItem[] {
  return g.log.itemsFor(member, after, REPLY_ITEMS_MAX).filter((item) => logPosition(item) <= upTo);
}
