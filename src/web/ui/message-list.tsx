// The messages of a chat as one `log` region and one tab stop: Tab lands on
// the list, the arrow keys (and Home / End) move between messages inside it,
// Enter or the context-menu key opens the focused message's menu. Day
// separators and grouping come from timeline.ts.

import { ApiError } from "@edge-chat/client";
import type { Ref } from "preact";
import type { ChatId, Message } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { Bubble } from "./bubble";
import { errorText } from "./form-error";
import type { MenuActions } from "./message-menu";
import { FailedBubble, PendingBubble } from "./pending-bubble";
import { timeline } from "./timeline";

export interface MessageListProps {
  store: AppStore;
  chat: ChatId;
  messages: Message[];
  listRef: Ref<HTMLDivElement>;
  loading: boolean;
  focus?: string;
  mark?: string;
  menuFor: string | null;
  onMenu: (id: string | null) => void;
  actions: MenuActions;
  onTop: () => void;
  /** Messages chosen while selecting (null: not selecting), and how to toggle one. */
  selection: ReadonlySet<string> | null;
  onSelect: (id: string) => void;
}

export function MessageList(props: MessageListProps) {
  const { store, chat, messages, listRef, loading, focus, mark, menuFor, onMenu, actions, selection } = props;

  function onKeyDown(e: KeyboardEvent) {
    const list = e.currentTarget as HTMLElement;
    if ((e.target as HTMLElement).closest("[role=menu]")) return;
    const items = [...list.querySelectorAll<HTMLElement>("li.bubble[data-id]")];
    if (items.length === 0) return;
    const at = items.indexOf(document.activeElement as HTMLElement);
    const go = (i: number) => items[Math.max(0, Math.min(items.length - 1, i))]?.focus();
    if (e.key === "ArrowUp") go(at < 0 ? items.length - 1 : at - 1);
    else if (e.key === "ArrowDown") go(at < 0 ? items.length - 1 : at + 1);
    else if (e.key === "Home") go(0);
    else if (e.key === "End") go(items.length - 1);
    else if (at >= 0 && selection && (e.key === "Enter" || e.key === " ")) {
      const id = items[at]?.dataset.id;
      if (id) props.onSelect(id);
    } else if (at >= 0 && (e.key === "Enter" || e.key === "ContextMenu" || (e.key === "F10" && e.shiftKey))) {
      onMenu(items[at]?.dataset.id ?? null);
    } else return;
    e.preventDefault();
  }

  return (
    <div
      ref={listRef}
      class="messages"
      role="log"
      aria-label="Messages"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the list is one tab stop; arrow keys move inside it
      tabIndex={0}
      onKeyDown={onKeyDown}
      onScroll={(e) => {
        if ((e.currentTarget as HTMLElement).scrollTop < 40) props.onTop();
      }}
    >
      <ol>
        {loading ? <li class="system">Loading older messages…</li> : null}
        {timeline(messages).map((row) =>
          row.kind === "day" ? (
            <li key={row.key} class="day">
              {row.label}
            </li>
          ) : (
            <Bubble
              key={row.message.id}
              store={store}
              message={row.message}
              cont={row.cont}
              focused={row.message.id === focus}
              mark={mark}
              menuOpen={menuFor === row.message.id}
              onMenu={onMenu}
              actions={actions}
              selected={selection?.has(row.message.id)}
              onSelect={selection ? props.onSelect : undefined}
            />
          ),
        )}
        {store.pending(chat).map((p) => (
          <PendingBubble key={p.clientId} item={p} />
        ))}
        {store.failed
          .filter((f) => f.chat === chat)
          .map((f) => (
            <FailedBubble key={f.clientId} text={f.text} reason={errorText(new ApiError(f.code, f.message, 0))} />
          ))}
      </ol>
    </div>
  );
}
