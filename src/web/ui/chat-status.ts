// The line under a chat's name: typing…, online, last seen at …, or the
// members of a group.

import type { ChatId } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { lastSeenText } from "./format";

export function chatStatus(store: AppStore, chat: ChatId): string {
  // Without a live connection, what we last heard about others may be stale.
  if (store.connectionState !== "live") return "";
  const typing = store.typing.get(chat);
  if (typing && typing.until > Date.now()) {
    return chat.startsWith("g:") ? `${store.directory.userName(typing.from)} is typing…` : "typing…";
  }
  const id = chat.slice(2);
  if (chat.startsWith("g:")) {
    const group = store.directory.groups.get(id);
    if (!group) return "";
    return group.members.map((m) => (m.id === store.userId ? "You" : store.directory.userName(m.id))).join(", ");
  }
  const presence = store.presence.get(id);
  if (!presence || id === store.userId) return "";
  if (presence.online) return "online";
  return presence.lastSeen !== null ? lastSeenText(presence.lastSeen) : "";
}
