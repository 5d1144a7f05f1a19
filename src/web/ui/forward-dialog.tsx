// Forwarding: pick the chats (several at once, or one at a time for a
// message already "Forwarded many times", as WhatsApp limits the spread of
// rumours). The server copies each message and counts its hops.

import { useState } from "preact/hooks";
import { FORWARDED_MANY } from "../../shared/limits";
import type { ChatId, Message } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { Modal } from "./modal";
import { chatTitle } from "./names";

/** Chats one can write to now: groups one is in, people one has not blocked. */
function targets(store: AppStore): ChatId[] {
  return store.chats
    .list()
    .map((entry) => entry.chat)
    .filter((chat) => (chat.startsWith("g:") ? store.member(chat) : !store.blocks.has(chat.slice(2))));
}

export function ForwardDialog({ store, messages }: { store: AppStore; messages: Message[] }) {
  const [chosen, setChosen] = useState<ChatId[]>([]);
  const single = messages.some((m) => (m.forwarded ?? 0) >= FORWARDED_MANY);
  const close = () => store.dialogs.close();
  const title = messages.length === 1 ? "Forward message to" : `Forward ${messages.length} messages to`;
  const pick = (chat: ChatId, on: boolean) => {
    if (single) setChosen(on ? [chat] : []);
    else setChosen(on ? [...chosen, chat] : chosen.filter((c) => c !== chat));
  };
  return (
    <Modal id="forward" title={title} className="forward-dialog" onClose={close}>
      {single ? <p class="forward-note">Forwarded many times: it can be sent to one chat at a time.</p> : null}
      <fieldset class="forward-chats">
        <legend class="sr-only">Chats</legend>
        {targets(store).map((chat) => (
          <label key={chat}>
            <input
              type={single ? "radio" : "checkbox"}
              name="forward-chat"
              checked={chosen.includes(chat)}
              onChange={(e) => pick(chat, e.currentTarget.checked)}
            />
            {chatTitle(store, chat)}
          </label>
        ))}
      </fieldset>
      <div class="confirm-buttons">
        <button type="button" onClick={close}>
          Cancel
        </button>
        <button
          type="button"
          class="primary"
          disabled={chosen.length === 0}
          onClick={() => {
            close();
            store.forward(messages, chosen);
            // To one chat: it opens, as in WhatsApp; to several, the conversation says so.
            const [only] = chosen;
            if (chosen.length === 1 && only) store.views.showChat({ name: "chat", chat: only });
            else store.dialogs.done(`Forwarded to ${chosen.length} chats`);
          }}
        >
          Forward
        </button>
      </div>
    </Modal>
  );
}
