// The page: the log-in screen, or the screens the view stack names: one at a
// time on a phone, the side pane (chat list, profile, ...) beside the chat
// pane on a screen at least 900 px wide, as WhatsApp Web. Escape goes back
// (not while a dialog is open); the browser's `offline` event drops the
// socket and `online` reconnects at once; coming back to the tab marks the
// open chat read and asks for the unread counts again; a click on a push's
// notification opens its chat (store/web-push.ts).

import { useEffect, useLayoutEffect, useState } from "preact/hooks";
import type { AppStore } from "../store/app-store";
import { paneOf, type View } from "../store/views";
import { openChatFromPush } from "../store/web-push";
import { AuthScreen } from "./auth-screen";
import { Confirm } from "./confirm";
import { MessageDialogView } from "./message-dialog";
import { PaneContext } from "./pane";
import { Screen } from "./screen";
import { useStore } from "./use-store";

const WIDE = "(min-width: 900px)";

function useWide(): boolean {
  const [wide, setWide] = useState(() => window.matchMedia(WIDE).matches);
  useEffect(() => {
    const query = window.matchMedia(WIDE);
    const onChange = () => setWide(query.matches);
    query.addEventListener("change", onChange);
    return () => query.removeEventListener("change", onChange);
  }, []);
  return wide;
}

export function App({ store }: { store: AppStore }) {
  useStore(store);
  const wide = useWide();
  store.views.wide = wide;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !e.defaultPrevented && !document.querySelector("dialog[open]")) store.views.back();
    };
    const onOnline = () => store.connection?.reconnectNow();
    // The browser knows first: its socket is most likely dead, so do not wait for the heartbeat to find out.
    const onOffline = () => store.connection?.drop("browser offline");
    const onVisible = () => {
      if (!store.visible()) return;
      const chat = store.views.openChat;
      if (chat) store.readChat(chat);
      void store.refreshChats();
    };
    const stopPushClicks = openChatFromPush((chat) => {
      if (!store.session) return;
      if (chat.startsWith("u:")) store.directory.needUsers([chat.slice(2)]);
      store.views.showChat({ name: "chat", chat });
    });
    window.addEventListener("keydown", onKey);
    window.addEventListener("online", onOnline);
    window.addEventListener("offline", onOffline);
    window.addEventListener("focus", onVisible);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      stopPushClicks();
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("online", onOnline);
      window.removeEventListener("offline", onOffline);
      window.removeEventListener("focus", onVisible);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [store]);

  // A new screen takes the focus (its main field, else its heading), so that
  // keyboard and screen-reader users land where the sighted user looks.
  const view = store.view;
  const screenKey = store.session ? JSON.stringify(view) : "auth";
  useLayoutEffect(() => {
    const pane = document.querySelector(`[data-pane="${paneOf(view)}"]`) ?? document;
    const target =
      pane.querySelector<HTMLElement>("[data-autofocus]") ?? pane.querySelector<HTMLElement>("section h1, main h1");
    if (!target) return;
    if (!target.hasAttribute("tabindex") && target.tagName === "H1") target.tabIndex = -1;
    target.focus({ preventScroll: true });
  }, [screenKey, wide]);

  if (!store.session) {
    return <AuthScreen store={store} />;
  }
  const question = store.question;
  const dialog = question ? (
    <Confirm question={question} onClose={() => store.ask(null)} />
  ) : (
    <MessageDialogView store={store} />
  );
  if (!wide) {
    return (
      <main class="app single" data-pane={paneOf(view)}>
        <Screen store={store} view={view} />
        {dialog}
      </main>
    );
  }
  const side = store.views.top("side") ?? ({ name: "chats" } as View);
  const chat = store.views.top("chat");
  const views = store.views;
  return (
    <div class="app wide">
      <PaneContext.Provider value={{ back: views.count("side") > 1 ? () => views.backIn("side") : null }}>
        <div class="pane side" data-pane="side">
          <Screen store={store} view={side} />
        </div>
      </PaneContext.Provider>
      <PaneContext.Provider value={{ back: views.count("chat") > 1 ? () => views.backIn("chat") : null }}>
        <main class="pane chat" data-pane="chat">
          {chat ? (
            <Screen store={store} view={chat} />
          ) : (
            <section class="screen placeholder" aria-labelledby="placeholder-title">
              <h1 id="placeholder-title">Edge Chat</h1>
              <p>Choose a chat on the left, or start a new one.</p>
            </section>
          )}
        </main>
      </PaneContext.Provider>
      {dialog}
    </div>
  );
}
