// The menu of one message (WhatsApp Web's chevron): reply, copy, message info,
// react, forward, select (several, to forward), edit, delete for me, delete
// for everyone.

import type { Message } from "../../shared/protocol";
import type { Allowed } from "../store/message-rules";
import { type MenuItem, PopupMenu } from "./popup-menu";
import { firstLink } from "./rich-text";

export interface MenuActions {
  reply(message: Message): void;
  copy(message: Message): void;
  info(message: Message): void;
  react(message: Message): void;
  reactions(message: Message): void;
  forward(message: Message): void;
  select(message: Message): void;
  edit(message: Message): void;
  deleteForMe(message: Message): void;
  deleteForEveryone(message: Message): void;
  jump(id: string): void;
  close(refocus: boolean): void;
}

export function MessageMenu({
  message,
  allowed,
  actions,
}: {
  message: Message;
  allowed: Allowed;
  actions: MenuActions;
}) {
  const live = message.deletedAt === undefined && !message.system;
  const link = live ? firstLink(message.text) : null;
  const quoted = message.replyTo?.id;
  const items: (MenuItem | false)[] = [
    allowed.react && { label: "React", run: () => actions.react(message) },
    (message.reactions?.length ?? 0) > 0 && { label: "Reactions", run: () => actions.reactions(message) },
    allowed.reply && { label: "Reply", run: () => actions.reply(message) },
    allowed.forward && { label: "Forward", run: () => actions.forward(message) },
    allowed.forward && { label: "Select messages", run: () => actions.select(message) },
    live && { label: "Copy", run: () => actions.copy(message) },
    quoted !== undefined && { label: "Go to quoted message", run: () => actions.jump(quoted) },
    link !== null && { label: "Open link", run: () => window.open(link, "_blank", "noopener,noreferrer") },
    allowed.info && { label: "Message info", run: () => actions.info(message) },
    allowed.edit && { label: "Edit", run: () => actions.edit(message) },
    { label: "Delete for me", run: () => actions.deleteForMe(message), danger: true },
    allowed.deleteForEveryone && {
      label: "Delete for everyone",
      run: () => actions.deleteForEveryone(message),
      danger: true,
    },
  ];
  return (
    <PopupMenu
      label="Message options"
      className="message-menu"
      items={items.filter((item): item is MenuItem => item !== false)}
      onClose={actions.close}
    />
  );
}
