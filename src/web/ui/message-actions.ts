// What the message menu's items do in a conversation. Copy uses the
// clipboard; delete for everyone asks first (it cannot be undone).

import type { AppStore } from "../store/app-store";
import type { MenuActions } from "./message-menu";

type FromConversation = Pick<MenuActions, "reply" | "edit" | "jump" | "close" | "select">;

export function messageActions(store: AppStore, own: FromConversation): MenuActions {
  return {
    ...own,
    copy: (m) => {
      void navigator.clipboard?.writeText(m.text).catch(() => undefined);
    },
    info: (m) => store.views.go({ name: "info", chat: m.chat, messageId: m.id }),
    react: (m) => store.dialogs.react(m),
    reactions: (m) => store.dialogs.reactions(m),
    forward: (m) => store.dialogs.forward(m.chat, [m.id]),
    deleteForMe: (m) => void store.change((c) => c.deleteMessage(m.id, "me")),
    deleteForEveryone: (m) =>
      store.ask({
        title: "Delete for everyone?",
        body: "The message will be replaced by “This message was deleted” for everyone in the chat.",
        choices: [
          {
            label: "Delete for everyone",
            danger: true,
            run: () => void store.change((c) => c.deleteMessage(m.id, "everyone")),
          },
        ],
      }),
  };
}
