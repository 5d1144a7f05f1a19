// Names and pictures for chats, from the store's directory.

import type { ChatId } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";

export function chatTitle(store: AppStore, chat: ChatId): string {
  const id = chat.slice(2);
  if (chat.startsWith("u:")) return id === store.userId ? "You (notes)" : store.directory.userName(id);
  return store.directory.groups.get(id)?.name ?? "Group";
}

export function chatPicture(store: AppStore, chat: ChatId): string | null {
  if (!chat.startsWith("u:")) {
    const group = store.directory.groups.get(chat.slice(2));
    return group ? store.api.groupPictureUrl(group) : null;
  }
  const user = store.directory.users.get(chat.slice(2));
  return user ? store.api.avatarUrl(user) : null;
}

export function isOnline(store: AppStore, chat: ChatId): boolean {
  if (store.connectionState !== "live") return false; // stale while we are offline
  return chat.startsWith("u:") && store.presence.get(chat.slice(2))?.online === true;
}
