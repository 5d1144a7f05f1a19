// The page: the log-in screen, or the screen the view stack names. Escape goes
// back; the browser's `offline` event drops the socket and `online` reconnects at
// once; coming back to the tab
// marks the open chat read.

import { useEffect, useLayoutEffect } from "preact/hooks";
import type { AppStore } from "../store/app-store";
import { AuthScreen } from "./auth-screen";
import { ChatList } from "./chat-list";
import { Conversation } from "./conversation";
import { GroupInfo } from "./group-info";
import { MessageInfo } from "./message-info";
import { NewChat } from "./new-chat";
import { NewGroup } from "./new-group";
import { Profile } from "./profile";
import { Search } from "./search";
import { useStore } from "./use-store";

export function App({ store }: { store: AppStore }) {
  useStore(store);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") store.views.back();
    };
    const onOnline = () => store.connection?.reconnectNow();
    // The browser knows first: its socket is most likely dead, so do not wait for the heartbeat to find out.
    const onOffline = () => store.connection?.drop("browser offline");
    const onVisible = () => {
      const chat = store.views.openChat;
      if (chat && store.visible()) store.readChat(chat);
    };
    window.addEventListener("keydown", onKey);
    window.addEventListener("online", onOnline);
    window.addEventListener("offline", onOffline);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("online", onOnline);
      window.removeEventListener("offline", onOffline);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [store]);

  // A new screen takes the focus (its main field, else its heading), so that
  // keyboard and screen-reader users land where the sighted user looks.
  const screenKey = store.session ? JSON.stringify(store.view) : "auth";
  useLayoutEffect(() => {
    const target =
      document.querySelector<HTMLElement>("[data-autofocus]") ??
      document.querySelector<HTMLElement>("main h1, section h1");
    if (!target) return;
    if (!target.hasAttribute("tabindex") && target.tagName === "H1") target.tabIndex = -1;
    target.focus({ preventScroll: true });
  }, [screenKey]);

  if (!store.session) return <AuthScreen store={store} />;
  const view = store.view;
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
