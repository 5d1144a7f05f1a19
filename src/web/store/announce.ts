// A new message from someone else, told to the person (store/alerts.ts): the
// sender's name and the group's, once the directory knows them (a first
// message from someone new arrives before their name; we wait up to a
// second for it), unless the chat is muted.

import { previewText } from "../../shared/media-label";
import type { ChatId, Message } from "../../shared/protocol";
import type { Alerts } from "./alerts";
import type { Chats } from "./chats";
import type { Directory } from "./directory";
import type { Views } from "./views";

const NAME_WAIT_MS = 1000;
const NAME_STEP_MS = 100;

/** What of the store (./app-store.ts) an announcement reads. */
export interface Announcer {
  readonly chats: Chats;
  readonly directory: Directory;
  readonly alerts: Alerts;
  readonly views: Views;
  readonly session: unknown;
  muted(chat: ChatId): boolean;
  visible(): boolean;
}

/** The unread messages of the chats that are not muted: the tab title's number. */
export function unreadTotal(store: Announcer): number {
  let total = 0;
  for (const entry of store.chats.entries.values()) {
    if (!store.muted(entry.chat)) total += entry.unread;
  }
  return total;
}

export async function announce(store: Announcer, message: Message): Promise<void> {
  if (store.muted(message.chat)) return;
  const group = message.chat.startsWith("g:") ? message.chat.slice(2) : null;
  for (let waited = 0; waited < NAME_WAIT_MS; waited += NAME_STEP_MS) {
    const known = store.directory.users.has(message.from) && (!group || store.directory.groups.has(group));
    if (known) break;
    await new Promise((resolve) => setTimeout(resolve, NAME_STEP_MS));
  }
  if (!store.session) return;
  const sender = store.directory.userName(message.from);
  const groupName = group ? (store.directory.groups.get(group)?.name ?? "a group") : null;
  const chat: ChatId = message.chat;
  store.alerts.incoming(
    {
      title: groupName ? `${sender} in ${groupName}` : sender,
      body: previewText(message),
      tag: chat,
      open: () => store.views.showChat({ name: "chat", chat }),
    },
    store.views.openChat === chat && store.visible(),
  );
}
