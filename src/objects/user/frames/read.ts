// `read`: the user read a chat up to a message. A group's reading position
// goes to the group (../group-acks.ts); a one-to-one chat's read receipts are
// gathered for the sender (../receipt-gather.ts).

import { type ChatId, type ClientFrameOf, parseChat } from "../../../shared/protocol";
import { requireGroupReader } from "../group-access";
import type { UserParts } from "../parts";
import { access } from "../sides";
import { broadcast } from "../sockets";

export async function onRead(me: UserParts, _ws: WebSocket, frame: ClientFrameOf<"read">): Promise<void> {
  const ref = parseChat(frame.chat);
  if (ref.kind === "group") {
    await requireGroupReader(access(me), ref.id);
    await me.groupAcks.read(frame.chat, frame.upTo);
    return tellDevices(me, frame.chat, me.groups.get(frame.chat)?.unread);
  }
  const marked = await me.writes.run(() => {
    const groups = me.mailbox.markRead(frame.chat, frame.upTo);
    me.receipts.add(groups, "read");
    return groups.length;
  });
  // Up to a message of its host's log (no row here): the host keeps the read position (../hosted-acks.ts).
  if (me.groupAcks.logOf(frame.upTo) === frame.chat) {
    await me.groupAcks.read(frame.chat, frame.upTo);
    const unread = (me.mailbox.unreadOf(frame.chat) ?? 0) + (me.groups.get(frame.chat)?.unread ?? 0);
    return tellDevices(me, frame.chat, unread);
  }
  if (marked > 0) tellDevices(me, frame.chat, me.mailbox.unreadOf(frame.chat));
}

/** Every device of the user learns the chat's unread count at once (a `chat` frame), not at its next chat list. */
function tellDevices(me: UserParts, chat: ChatId, unread: number | undefined): void {
  if (unread !== undefined) broadcast(me.ctx.getWebSockets(), { type: "chat", chat, unread });
}
