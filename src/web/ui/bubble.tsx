// One message: mine on the right with ticks, theirs on the left (with the
// sender's name in groups), group updates centred. A reply shows its quote
// (a button that jumps to the quoted message), an edited message says
// "edited", a deleted one "This message was deleted", a forwarded copy
// "Forwarded" ("Forwarded many times" from FORWARDED_MANY hops on), and the
// reactions sit under it. Text is always text nodes (rich-text.tsx makes only
// links and search marks). While messages are being selected (to forward
// several), each has a checkbox.
//
// The menu opens from the chevron (on hover or focus), a right-click, a long
// press on touch, or Enter / the context-menu key on the focused message.

import { useRef } from "preact/hooks";
import { FORWARDED_MANY } from "../../shared/limits";
import type { Message } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { allowedOn } from "../store/message-rules";
import { recipientsOf, tickStatus } from "../store/ticks";
import { clock } from "./format";
import { Icon } from "./icons";
import { type MenuActions, MessageMenu } from "./message-menu";
import { ReactionsRow } from "./reactions-row";
import { RichText } from "./rich-text";
import { systemText } from "./system-text";
import { Ticks } from "./ticks";

const LONG_PRESS_MS = 500;

export interface BubbleProps {
  store: AppStore;
  message: Message;
  focused?: boolean;
  /** Follows the previous bubble of the same sender: no name, a smaller gap. */
  cont?: boolean;
  mark?: string;
  menuOpen?: boolean;
  onMenu?: (id: string | null) => void;
  actions?: MenuActions;
  /** While selecting messages: whether this one is chosen, and how to toggle it. */
  selected?: boolean;
  onSelect?: (id: string) => void;
}

export function Bubble(props: BubbleProps) {
  const { store, message, focused, cont, mark, menuOpen, onMenu, actions, selected, onSelect } = props;
  const press = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  if (message.system) return <SystemLine store={store} message={message} />;
  const mine = message.from === store.userId;
  const group = message.chat.startsWith("g:") ? store.directory.groups.get(message.chat.slice(2)) : undefined;
  let status = null;
  if (mine && message.deletedAt === undefined) {
    const recipients = recipientsOf(message, store.userId, group, store.chats.joinedAfter(message.chat, message.id));
    status = tickStatus(message, recipients, store.receipts);
  }
  const from = mine ? "You" : store.directory.userName(message.from);
  const deleted = message.deletedAt !== undefined;
  const classes = [
    "bubble",
    mine ? "mine" : "theirs",
    cont ? "cont" : "",
    focused ? "focused" : "",
    deleted ? "deleted" : "",
    reactedTo(message) ? "reacted" : "",
  ];
  const open = () => onMenu?.(message.id);
  const cancelPress = () => clearTimeout(press.current);
  return (
    <li
      id={`m-${message.id}`}
      class={classes.filter(Boolean).join(" ")}
      data-id={message.id}
      tabIndex={onMenu ? -1 : undefined}
      onContextMenu={
        onMenu
          ? (e) => {
              e.preventDefault();
              open();
            }
          : undefined
      }
      onPointerDown={(e) => {
        if (!onMenu || e.pointerType !== "touch") return;
        cancelPress();
        press.current = setTimeout(open, LONG_PRESS_MS);
      }}
      onPointerUp={cancelPress}
      onPointerCancel={cancelPress}
      onPointerLeave={cancelPress}
    >
      {onSelect && !deleted ? (
        <input
          type="checkbox"
          class="select-message"
          tabIndex={-1}
          aria-label={`Select message: ${message.text.slice(0, 40)}`}
          checked={selected === true}
          onChange={() => onSelect(message.id)}
        />
      ) : null}
      {!mine && group && !cont ? <span class="sender">{from}</span> : null}
      {message.forwarded !== undefined && !deleted ? (
        <span class="forwarded">
          <Icon name="forward" size={14} />
          {message.forwarded >= FORWARDED_MANY ? "Forwarded many times" : "Forwarded"}
        </span>
      ) : null}
      {message.replyTo ? <QuoteBlock store={store} quote={message.replyTo} onJump={actions?.jump} /> : null}
      <span class="sr-only">{from}: </span>
      <span class="text">
        {deleted ? (
          <em class="deleted-text">
            {message.deletedBy && message.deletedBy !== message.from
              ? "This message was deleted by an admin"
              : "This message was deleted"}
          </em>
        ) : (
          <RichText text={message.text} mark={mark} />
        )}
      </span>
      <span class="meta">
        {message.editedAt !== undefined && !deleted ? <span class="edited">edited</span> : null}
        <time dateTime={new Date(message.ts).toISOString()}>{clock(message.ts)}</time>
        {status ? <Ticks status={status} /> : null}
      </span>
      <ReactionsRow store={store} message={message} />
      {onMenu ? (
        <button
          type="button"
          class="menu-button"
          tabIndex={-1}
          aria-label="Message options"
          aria-haspopup="menu"
          aria-expanded={menuOpen ? "true" : "false"}
          onClick={() => onMenu(menuOpen ? null : message.id)}
        >
          <Icon name="chevron" size={18} />
        </button>
      ) : null}
      {menuOpen && actions ? (
        <MessageMenu
          message={message}
          allowed={allowedOn(message, store.userId, group, store.member(message.chat))}
          actions={actions}
        />
      ) : null}
    </li>
  );
}

function reactedTo(message: Message): boolean {
  return (message.reactions?.length ?? 0) > 0 && message.deletedAt === undefined;
}

function QuoteBlock({
  store,
  quote,
  onJump,
}: {
  store: AppStore;
  quote: NonNullable<Message["replyTo"]>;
  onJump?: (id: string) => void;
}) {
  const who = quote.from === store.userId ? "You" : store.directory.userName(quote.from);
  const excerpt = quote.deleted ? "This message was deleted" : quote.excerpt;
  return (
    <button
      type="button"
      class={`quote${quote.deleted ? " deleted" : ""}`}
      tabIndex={-1}
      disabled={!onJump}
      onClick={() => onJump?.(quote.id)}
    >
      <span class="quote-from">{who}</span>
      <span class="quote-text">{excerpt}</span>
    </button>
  );
}

function SystemLine({ store, message }: { store: AppStore; message: Message }) {
  return (
    <li class="system" data-id={message.id}>
      {systemText(store, message)}
    </li>
  );
}
