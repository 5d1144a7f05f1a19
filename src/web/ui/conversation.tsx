// One chat: header (name, online / last seen / typing, the chat's menu), the
// messages (older pages load when scrolled to the top), the search inside
// the chat, and the message box, or why there is none (no longer a member,
// blocked).

import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { ChatId, Message } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { ChatHeader } from "./chat-header";
import { ChatSearch, matchesOf } from "./chat-search";
import { Composer } from "./composer";
import { ConnectionBanner } from "./connection-banner";
import { messageActions } from "./message-actions";
import { MessageList } from "./message-list";
import { chatTitle } from "./names";

const PAGE = 50;

export function Conversation({ store, chat, focus }: { store: AppStore; chat: ChatId; focus?: string }) {
  const list = useRef<HTMLDivElement>(null);
  const [loading, setLoading] = useState(false);
  // Long chats render their newest PAGE messages; scrolling to the top shows
  // another page, from memory or, when memory has no more, from the server.
  const [shown, setShown] = useState(PAGE);
  const [target, setTarget] = useState(focus);
  const [menuFor, setMenuFor] = useState<string | null>(null);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [editing, setEditing] = useState<Message | null>(null);
  const [selection, setSelection] = useState<ReadonlySet<string> | null>(null);
  const [query, setQuery] = useState<string | null>(null);
  const [current, setCurrent] = useState(0);
  const all = store.chats.sorted(chat);
  const searching = query !== null && query.trim() !== "";
  const matches = searching ? matchesOf(all, query) : [];
  const hit = matches[Math.min(current, matches.length - 1)];
  const messages = target || searching ? all : all.slice(-shown);
  const id = chat.slice(2);
  const member = store.member(chat);
  const blocked = chat.startsWith("u:") && store.blocks.has(id);

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

  // Read what is shown; keep the newest in view unless jumping to a message or a match.
  const newest = messages.at(-1)?.id;
  const pending = store.pending(chat).length;
  useEffect(() => store.readChat(chat), [chat, newest]);
  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    const spot = hit?.id ?? target;
    const element = spot ? document.getElementById(`m-${spot}`) : null;
    if (element) element.scrollIntoView({ block: "center" });
    else if (!spot) el.scrollTop = el.scrollHeight;
  }, [chat, newest, pending, target, hit?.id]);

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

  /** Shows a message (loading older pages until it is there) and puts the focus on it. */
  async function jump(messageId: string) {
    const entry = store.chats.entry(chat);
    for (let i = 0; i < 20 && !entry.messages.has(messageId) && !entry.historyDone; i++) {
      await store.loadOlder(chat).catch(() => undefined);
    }
    setTarget(messageId);
    requestAnimationFrame(() => document.getElementById(`m-${messageId}`)?.focus({ preventScroll: true }));
  }

  const actions = messageActions(store, {
    reply: (m) => {
      setEditing(null);
      setReplyTo(m);
    },
    edit: (m) => {
      setReplyTo(null);
      setEditing(m);
    },
    jump: (messageId) => void jump(messageId),
    select: (m) => setSelection(new Set([m.id])),
    close: (refocus) => {
      const was = menuFor;
      setMenuFor(null);
      if (refocus && was) document.getElementById(`m-${was}`)?.focus();
    },
  });

  return (
    <section class="screen conversation" aria-label={`Chat with ${chatTitle(store, chat)}`}>
      <ChatHeader store={store} chat={chat} onSearch={() => setQuery(query ?? "")} />
      <ConnectionBanner store={store} />
      {query !== null ? (
        <ChatSearch
          query={query}
          count={matches.length}
          current={Math.min(current, Math.max(0, matches.length - 1))}
          onQuery={(q) => {
            setQuery(q);
            setCurrent(Math.max(0, matchesOf(all, q).length - 1));
          }}
          onStep={(delta) => setCurrent(Math.max(0, Math.min(matches.length - 1, current + delta)))}
          onClose={() => setQuery(null)}
        />
      ) : null}
      <MessageList
        store={store}
        chat={chat}
        messages={messages}
        listRef={list}
        loading={loading}
        focus={hit?.id ?? target}
        mark={searching ? query.trim() : undefined}
        menuFor={menuFor}
        onMenu={setMenuFor}
        actions={actions}
        onTop={() => void older()}
        selection={selection}
        onSelect={(messageId) => {
          const next = new Set(selection);
          if (!next.delete(messageId)) next.add(messageId);
          setSelection(next);
        }}
      />
      {store.notice ? (
        <p class="notice" role="alert">
          {store.notice}
        </p>
      ) : store.dialogs.status ? (
        <p class="notice done" role="status">
          {store.dialogs.status}
        </p>
      ) : null}
      {selection ? (
        <SelectBar
          count={selection.size}
          onCancel={() => setSelection(null)}
          onForward={() => {
            store.dialogs.forward(chat, [...selection]);
            setSelection(null);
          }}
        />
      ) : !member ? (
        <p class="no-composer" role="status">
          You are no longer a member of this group.
        </p>
      ) : blocked ? (
        <p class="no-composer">
          You blocked this contact.{" "}
          <button type="button" class="link" onClick={() => void store.blocks.unblock(id)}>
            Unblock
          </button>
        </p>
      ) : (
        <Composer
          store={store}
          chat={chat}
          replyTo={replyTo}
          editing={editing}
          onDone={() => {
            setReplyTo(null);
            setEditing(null);
          }}
        />
      )}
    </section>
  );
}

/** While selecting messages: how many, and what to do with them. */
function SelectBar({ count, onCancel, onForward }: { count: number; onCancel: () => void; onForward: () => void }) {
  return (
    <div class="select-bar" role="toolbar" aria-label="Selected messages">
      <span role="status">{count === 1 ? "1 selected" : `${count} selected`}</span>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      <button type="button" class="primary" disabled={count === 0} onClick={onForward}>
        Forward
      </button>
    </div>
  );
}
