// What a guest reads of a one-to-one chat its peer hosts (`u:<host>` with a
// `group_chats` row; docs/one-copy-per-chat.md, "The guest's reads"): the
// chat list, history, search and message info show it once. Messages from
// before hosting began are rows of the guest's own mailbox (and R2); those
// after it are read from the host's log, with the guest's seqs, as a group
// with a floor is read (./group-reads.ts). A copy of the host's message that
// the mailbox still holds above the floor is not shown beside the log's.

import type { ChatId, ChatSummary, Message } from "../../shared/protocol";
import type { GroupChats } from "./group-chats";
import type { GroupReads } from "./group-reads";
import type { MailboxArchiveReads } from "./mailbox-archive-reads";

/** Whether this user reads `chat` (a one-to-one chat) through its host's log. */
export function readsHosted(groups: GroupChats, chat: string): boolean {
  return chat.startsWith("u:") && groups.get(chat) !== null;
}

/**
 * A page of a hosted chat, oldest first: the log's page, and when the log
 * holds nothing older, the mailbox's (and archive's) rows older than the
 * log's oldest. The log answers every message after the floor, so a mailbox
 * row is only ever read below it.
 */
export async function hostedHistory(
  reads: GroupReads,
  groups: GroupChats,
  archive: MailboxArchiveReads,
  chat: ChatId,
  before: string | undefined,
  limit: number,
): Promise<Message[]> {
  const floor = groups.get(chat)?.floor ?? "";
  // A cursor at or below a known floor: the log has nothing there, no call to the host.
  const belowFloor = floor !== "" && before !== undefined && before <= floor;
  const page = belowFloor ? { messages: [], oldest: null, full: false } : await reads.historyPage(chat, before, limit);
  if (page.full) return page.messages;
  const older = await archive.history(chat, page.oldest ?? before, limit - page.messages.length);
  return [...older, ...page.messages];
}

/**
 * The chat list with each hosted chat once: its mailbox row (messages from
 * before hosting, and the host's copies while they still come as copies) and
 * its `group_chats` row merged, the newer last message shown, the unread
 * counts added (each message is counted on one side only: a copy is passed
 * over in the log).
 */
export function mergeHosted(list: ChatSummary[]): ChatSummary[] {
  const byChat = new Map<string, ChatSummary>();
  const out: ChatSummary[] = [];
  for (const summary of list) {
    const seen = summary.chat.startsWith("u:") ? byChat.get(summary.chat) : undefined;
    if (!seen) {
      byChat.set(summary.chat, summary);
      out.push(summary);
      continue;
    }
    const a = seen.lastMessage;
    const b = summary.lastMessage;
    const last = !a ? b : !b ? a : b.seq > a.seq ? b : a;
    Object.assign(seen, { lastMessage: last, unread: seen.unread + summary.unread });
  }
  return out;
}

/**
 * Search hits of every chat, newest first, one per id: a hosted chat's
 * message in the log and as a mailbox copy is the log's (`fromLogs` first).
 */
export function mergeHits(fromLogs: Message[], local: Message[], limit: number): Message[] {
  const seen = new Set<string>();
  return [...fromLogs, ...local]
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .filter((m) => !seen.has(m.id) && seen.add(m.id))
    .slice(0, limit);
}
