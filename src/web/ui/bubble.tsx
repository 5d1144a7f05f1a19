// One message: mine on the right with ticks, theirs on the left (with the
// sender's name in groups), group updates centred. Text is always a text node:
// nothing a message says is ever parsed as HTML.

import type { Message } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { recipientsOf, tickStatus } from "../store/ticks";
import { clock } from "./format";
import { Icon } from "./icons";
import { systemText } from "./system-text";
import { Ticks } from "./ticks";

export function Bubble({ store, message, focused }: { store: AppStore; message: Message; focused: boolean }) {
  if (message.system) return <SystemLine store={store} message={message} />;
  const mine = message.from === store.userId;
  const group = message.chat.startsWith("g:") ? store.directory.groups.get(message.chat.slice(2)) : undefined;
  let status = null;
  if (mine) {
    const recipients = recipientsOf(message, store.userId, group, store.chats.joinedAfter(message.chat, message.id));
    status = tickStatus(message, recipients, store.receipts);
  }
  const from = mine ? "You" : store.directory.userName(message.from);
  return (
    <li
      id={`m-${message.id}`}
      class={`bubble ${mine ? "mine" : "theirs"}${focused ? " focused" : ""}`}
      data-id={message.id}
    >
      {!mine && message.chat.startsWith("g:") ? <span class="sender">{from}</span> : null}
      <span class="sr-only">{from}: </span>
      <span class="text">{message.text}</span>
      <span class="meta">
        <time dateTime={new Date(message.ts).toISOString()}>{clock(message.ts)}</time>
        {status ? <Ticks status={status} /> : null}
        {mine ? (
          <button
            type="button"
            class="info-button"
            aria-label="Message info"
            onClick={() => store.views.go({ name: "info", chat: message.chat, messageId: message.id })}
          >
            <Icon name="info" size={14} />
          </button>
        ) : null}
      </span>
    </li>
  );
}

function SystemLine({ store, message }: { store: AppStore; message: Message }) {
  return (
    <li class="system" data-id={message.id}>
      {systemText(store, message)}
    </li>
  );
}
