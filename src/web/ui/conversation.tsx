// One chat: header (name, online / last seen / typing), the messages (older
// pages load when scrolled to the top), and the message box.

import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { ChatId } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { Avatar } from "./avatar";
import { Bubble } from "./bubble";
import { chatStatus } from "./chat-status";
import { Composer } from "./composer";
import { ConnectionBanner } from "./connection-banner";
import { chatPicture, chatTitle, isOnline } from "./names";
import { FailedBubble, PendingBubble } from "./pending-bubble";
import { TopBar } from "./top-bar";

const PAGE = 50;

export function Conversation({ store, chat, focus }: { store: AppStore; chat: ChatId; focus?: string }) {
  const list = useRef<HTMLDivElement>(null);
  const [loading, setLoading] = useState(false);
  // Long chats render their newest PAGE messages; scrolling to the top shows
  // another page, from memory or, when memory has no more, from the server.
  const [shown, setShown] = useState(PAGE);
  const all = store.chats.sorted(chat);
  const messages = focus ? all : all.slice(-shown);
  const pending = store.pending(chat);
  const id = chat.slice(2);
  const title = chatTitle(store, chat);

  useEffect(() => {
    if (chat.startsWith("u:")) {
      store.watch(id);
      void store.api.presence(id).then(
        (p) => store.presence.has(id) || store.setPresence(id, p),
        () => undefined,
      );
    } else void store.directory.needGroup(id, true);
    if (all.length < PAGE) void older();
  }, [chat]);

  // Read what is shown; keep the newest in view unless jumping to a hit.
  const newest = messages.at(-1)?.id;
  useEffect(() => store.readChat(chat), [chat, newest]);
  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    const target = focus ? document.getElementById(`m-${focus}`) : null;
    if (target) target.scrollIntoView({ block: "center" });
    else el.scrollTop = el.scrollHeight;
  }, [chat, newest, pending.length, focus]);

  async function older() {
    if (loading) return;
    const el = list.current;
    const fromBottom = el ? el.scrollHeight - el.scrollTop : 0;
    // Keep the message that was at the top where it was, once the page above it renders.
    const keepPlace = () =>
      requestAnimationFrame(() => {
        if (el) el.scrollTop = el.scrollHeight - fromBottom;
      });
    if (all.length > shown) {
      setShown(shown + PAGE);
      keepPlace();
      return;
    }
    if (store.chats.entry(chat).historyDone) return;
    setLoading(true);
    await store.loadOlder(chat).catch(() => undefined);
    setShown(shown + PAGE);
    setLoading(false);
    keepPlace();
  }

  return (
    <section class="screen conversation" aria-label={`Chat with ${title}`}>
      <TopBar
        store={store}
        title={
          <button
            type="button"
            class="chat-head"
            disabled={!chat.startsWith("g:")}
            aria-label={chat.startsWith("g:") ? `Group info for ${title}` : title}
            onClick={() => store.views.go({ name: "group", groupId: id })}
          >
            <Avatar name={title} src={chatPicture(store, chat)} online={isOnline(store, chat)} size={36} />
            <span>
              <h1>{title}</h1>
              <span class="status" data-testid="chat-status" aria-live="polite">
                {chatStatus(store, chat)}
              </span>
            </span>
          </button>
        }
      />
      <ConnectionBanner store={store} />
      <div
        ref={list}
        class="messages"
        role="log"
        aria-label="Messages"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: keyboard users scroll the log, so it takes focus
        tabIndex={0}
        onScroll={(e) => {
          if ((e.currentTarget as HTMLElement).scrollTop < 40) void older();
        }}
      >
        <ol>
          {loading ? <li class="system">Loading older messages…</li> : null}
          {messages.map((m) => (
            <Bubble key={m.id} store={store} message={m} focused={m.id === focus} />
          ))}
          {pending.map((p) => (
            <PendingBubble key={p.clientId} item={p} />
          ))}
          {store.failed
            .filter((f) => f.chat === chat)
            .map((f) => (
              <FailedBubble key={f.clientId} text={f.text} reason={f.message} />
            ))}
        </ol>
      </div>
      <Composer store={store} chat={chat} />
    </section>
  );
}
