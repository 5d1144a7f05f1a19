// GET /api/chats: every chat with its newest message and unread count, most
// recent first. One-to-one chats are rows of `chats` joined with their newest
// mailbox row; groups are rows of `group_chats`, which keep their newest
// message themselves (the group's log holds the one copy of it). A one-to-one
// chat its peer hosts has both, and is shown once (./hosted-views.ts).

import type { ChatId, ChatSummary, Message } from "../../shared/protocol";
import type { GroupChats } from "./group-chats";
import { mergeHosted } from "./hosted-views";
import type { Mailbox } from "./mailbox";

export function listChats(mailbox: Mailbox, groups: GroupChats, hidden: (id: string) => boolean): ChatSummary[] {
  const list = mailbox.reads.chats();
  for (const row of groups.all()) {
    // A chat moved by schema step 8 shows its newest stored row until the group brings a newer one.
    let last: Message | null =
      row.last === null
        ? (mailbox.history(row.chat as ChatId, undefined, 1)[0] ?? null)
        : (JSON.parse(row.last) as Message);
    if (last && hidden(last.id)) last = null;
    if (!last && row.upto === "") continue;
    list.push({ chat: row.chat as ChatId, lastMessage: last, unread: row.unread });
  }
  return mergeHosted(list).sort((a, b) => (b.lastMessage?.seq ?? 0) - (a.lastMessage?.seq ?? 0));
}
