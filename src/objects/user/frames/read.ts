// `read`: the user read a chat up to a message. A group's reading position
// goes to the group (../group-acks.ts); a one-to-one chat's read receipts are
// gathered for the sender (../receipt-gather.ts).

import { type ClientFrameOf, parseChat } from "../../../shared/protocol";
import { requireGroupReader } from "../group-access";
import type { UserParts } from "../parts";

export async function onRead(me: UserParts, _ws: WebSocket, frame: ClientFrameOf<"read">): Promise<void> {
  const ref = parseChat(frame.chat);
  if (ref.kind === "group") {
    await requireGroupReader(me.access(), ref.id);
    return me.groupAcks.read(frame.chat, frame.upTo);
  }
  return me.writes.run(() => me.receipts.add(me.mailbox.markRead(frame.chat, frame.upTo, Date.now()), "read"));
}
