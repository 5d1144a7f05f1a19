// The list of chats, newest first: picture, name, last message, time, unread
// badge, online dot. The first screen after logging in.

import { previewText } from "../../shared/media-label";
import type { Message } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import type { ChatEntry } from "../store/chats";
import { Avatar } from "./avatar";
import { ConnectionBanner } from "./connection-banner";
import { shortWhen } from "./format";
import { Icon } from "./icons";
import { chatPicture, chatTitle, isOnline } from "./names";
import { systemText } from "./system-text";
import { TopBar } from "./top-bar";
import { UnfinishedUploads } from "./unfinished-uploads";

export function ChatList({ store }: { store: AppStore }) {
  const entries = store.chats.list();
  return (
    <section class="screen" aria-labelledby="chats-title">
      <TopBar store={store} title={<h1 id="chats-title">Chats</h1>}>
        <button
          type="button"
          class="icon"
          aria-label="Search messages"
          onClick={() => store.views.go({ name: "search" })}
        >
          <Icon name="search" />
        </button>
        <button type="button" class="icon" aria-label="Profile" onClick={() => store.views.go({ name: "profile" })}>
          <Icon name="person" />
        </button>
      </TopBar>
      <ConnectionBanner store={store} />
      <UnfinishedUploads store={store} />
      <div class="actions">
        <button type="button" onClick={() => store.views.go({ name: "new-chat" })}>
          New chat
        </button>
        <button type="button" onClick={() => store.views.go({ name: "new-group" })}>
          New group
        </button>
      </div>
      {entries.length === 0 ? <p class="empty">No chats yet. Start one with a username.</p> : null}
      <ul class="chat-list" aria-label="Chats">
        {entries.map((entry) => (
          <ChatRow key={entry.chat} store={store} entry={entry} />
        ))}
      </ul>
    </section>
  );
}

function ChatRow({ store, entry }: { store: AppStore; entry: ChatEntry }) {
  const title = chatTitle(store, entry.chat);
  const last = entry.last;
  const prefix = last && last.from === store.userId ? "You: " : "";
  const online = isOnline(store, entry.chat);
  const muted = store.muted(entry.chat);
  return (
    <li>
      <button
        type="button"
        class={`chat-row${store.views.openChat === entry.chat ? " current" : ""}`}
        aria-current={store.views.openChat === entry.chat ? "true" : undefined}
        data-chat={entry.chat}
        onClick={() => store.views.showChat({ name: "chat", chat: entry.chat })}
      >
        <Avatar name={title} src={chatPicture(store, entry.chat)} online={online} />
        <span class="chat-main">
          <span class="chat-name">
            {title}
            <span class="sr-only">
              {[online ? "online" : "", entry.unread ? `${entry.unread} unread` : "", muted ? "muted" : ""]
                .filter(Boolean)
                .join(", ")}
            </span>
          </span>
          <span class="chat-last">{last ? lastLine(store, last, prefix) : ""}</span>
        </span>
        <span class="chat-meta">
          <span class="chat-time">{last ? shortWhen(last.ts) : ""}</span>
          {muted ? (
            <span class="chat-muted" data-testid="muted" aria-hidden="true">
              🔕
            </span>
          ) : null}
          {entry.unread > 0 ? (
            <span class="badge" data-testid="unread" aria-hidden="true">
              {entry.unread}
            </span>
          ) : null}
        </span>
      </button>
    </li>
  );
}

function lastLine(store: AppStore, last: Message, prefix: string): string {
  if (last.system) return systemText(store, last);
  if (last.deletedAt !== undefined) return prefix ? "You deleted this message" : "This message was deleted";
  return prefix + previewText(last);
}
