// A member's message: checked, deduplicated by (sender, clientId), given its
// place in the group's order and fanned out, all in one synchronous block, so
// the answer leaves only once all of it is durable.

import type { InboxMessage } from "../inbox";
import type { LogEntry } from "./log";
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
  items: InboxMessage[];
}

const REPLY_ITEMS_MAX = 100;

export function post(g: GroupParts, sender: string, clientId: string, text: string, now = Date.now()): PostReply {
  // A retry gets the first answer, even if the sender has left since.
  const earlier = g.log.findByClient(sender, clientId);
  if (earlier) return reply(g, sender, earlier);
  requireMember(g, sender);
  const entry = g.log.append({ sender, text, clientId }, now);
  g.fanout.seen(sender);
  g.fanout.notify(g.members.ids(), now);
  return reply(g, sender, entry);
}

function reply(g: GroupParts, sender: string, entry: LogEntry): PostReply {
  const items = g.fanout.owedTo(sender, REPLY_ITEMS_MAX).filter((item) => item.id <= entry.id);
  if (items.at(-1)?.id !== entry.id) items.push(g.log.toItem(entry, sender));
  return { id: entry.id, ts: entry.ts, items };
}
