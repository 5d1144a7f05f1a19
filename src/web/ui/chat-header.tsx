// A conversation's top bar: picture, name and status (a button to the
// group's info in groups), and the chat's menu: search in the chat, block or
// unblock the contact, group info, mute notifications or unmute.

import { useState } from "preact/hooks";
import type { ChatId } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { Avatar } from "./avatar";
import { chatStatus } from "./chat-status";
import { errorText } from "./form-error";
import { Icon } from "./icons";
import { muteItem } from "./mute-item";
import { chatPicture, chatTitle, isOnline } from "./names";
import { type MenuItem, PopupMenu } from "./popup-menu";
import { TopBar } from "./top-bar";

export function ChatHeader({ store, chat, onSearch }: { store: AppStore; chat: ChatId; onSearch: () => void }) {
  const [open, setOpen] = useState(false);
  const id = chat.slice(2);
  const title = chatTitle(store, chat);
  const group = chat.startsWith("g:");
  const items: MenuItem[] = [{ label: "Search in chat", run: onSearch }, muteItem(store, chat)];
  if (group) items.push({ label: "Group info", run: () => store.views.go({ name: "group", groupId: id }) });
  else if (id !== store.userId) {
    const blocked = store.blocks.has(id);
    items.push({
      label: blocked ? `Unblock ${title}` : `Block ${title}`,
      danger: !blocked,
      run: () =>
        blocked
          ? void store.blocks.unblock(id).catch((err: unknown) => store.say(errorText(err)))
          : store.ask({
              title: `Block ${title}?`,
              body: "Blocked contacts cannot send you messages or see when you are online.",
              choices: [
                {
                  label: "Block",
                  danger: true,
                  run: () => void store.blocks.block(id).catch((err: unknown) => store.say(errorText(err))),
                },
              ],
            }),
    });
  }
  const head = (
    <>
      <Avatar name={title} src={chatPicture(store, chat)} online={isOnline(store, chat)} size={36} />
      <span class="chat-head-text">
        <h1>{title}</h1>
        <span class="status" data-testid="chat-status" aria-live="polite">
          {chatStatus(store, chat)}
        </span>
      </span>
    </>
  );
  return (
    <TopBar
      store={store}
      title={
        group ? (
          <button type="button" class="chat-head" onClick={() => store.views.go({ name: "group", groupId: id })}>
            {head}
          </button>
        ) : (
          <div class="chat-head">{head}</div>
        )
      }
    >
      <span class="menu-anchor">
        <button
          type="button"
          class="icon"
          aria-label="Chat options"
          aria-haspopup="menu"
          aria-expanded={open ? "true" : "false"}
          onClick={() => setOpen(!open)}
        >
          <Icon name="more" />
        </button>
        {open ? (
          <PopupMenu
            label="Chat options"
            className="chat-menu"
            items={items}
            onClose={(refocus) => {
              setOpen(false);
              if (refocus) document.querySelector<HTMLElement>("[aria-label='Chat options']")?.focus();
            }}
          />
        ) : null}
      </span>
    </TopBar>
  );
}
