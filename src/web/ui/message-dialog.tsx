// The message dialog on screen, if any (store/message-dialogs.ts), with its
// messages as the store has them now.

import type { Message } from "../../shared/protocol";
import type { AppStore } from "../store/app-store";
import { ForwardDialog } from "./forward-dialog";
import { ReactDialog, ReactionsDialog } from "./reaction-dialogs";

export function MessageDialogView({ store }: { store: AppStore }) {
  const dialog = store.dialogs.current;
  if (!dialog) return null;
  const messages = store.chats.entry(dialog.chat).messages;
  if (dialog.kind === "forward") {
    const chosen = dialog.ids.flatMap((id) => {
      const m = messages.get(id);
      return m ? [m] : [];
    });
    return chosen.length > 0 ? <ForwardDialog store={store} messages={chosen} /> : null;
  }
  const message: Message | undefined = messages.get(dialog.id);
  if (!message) return null;
  return dialog.kind === "react" ? (
    <ReactDialog key={message.id} store={store} message={message} />
  ) : (
    <ReactionsDialog store={store} message={message} />
  );
}
