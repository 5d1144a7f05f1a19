// The screen a view names.

import type { AppStore } from "../store/app-store";
import type { View } from "../store/views";
import { ChatList } from "./chat-list";
import { Conversation } from "./conversation";
import { GroupInfo } from "./group-info";
import { MessageInfo } from "./message-info";
import { NewChat } from "./new-chat";
import { NewGroup } from "./new-group";
import { Profile } from "./profile";
import { Search } from "./search";

export function Screen({ store, view }: { store: AppStore; view: View }) {
  switch (view.name) {
    case "chats":
      return <ChatList store={store} />;
    case "chat":
      return <Conversation key={view.chat} store={store} chat={view.chat} focus={view.focus} />;
    case "info":
      return <MessageInfo store={store} chat={view.chat} messageId={view.messageId} />;
    case "group":
      return <GroupInfo store={store} groupId={view.groupId} />;
    case "new-chat":
      return <NewChat store={store} />;
    case "new-group":
      return <NewGroup store={store} />;
    case "profile":
      return <Profile store={store} />;
    case "search":
      return <Search store={store} />;
  }
}
