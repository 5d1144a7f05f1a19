// The chat menu's "Mute notifications" (asks how long: 8 hours, 1 week,
// always) or "Unmute", kept on the server for all the user's devices
// (PUT /api/chats/:chat/mute); a refusal is said in words in the chat.

import { MUTE_CHOICES } from "../../shared/mute";
import type { ChatId } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { errorText } from "./form-error";
import type { MenuItem } from "./popup-menu";

export function muteItem(store: AppStore, chat: ChatId): MenuItem {
  const failed = (err: unknown) => store.say(errorText(err));
  if (store.muted(chat)) {
    return { label: "Unmute", run: () => void store.mute(chat, null).then(() => store.say(null), failed) };
  }
  return {
    label: "Mute notifications",
    run: () =>
      store.ask({
        title: "Mute notifications for…",
        body: "No sound and no notification for new messages in this chat, on all your devices.",
        choices: MUTE_CHOICES.map(({ label, ms }) => ({
          label,
          run: () =>
            void store.mute(chat, ms === "always" ? "always" : Date.now() + ms).then(() => store.say(null), failed),
        })),
      }),
  };
}
