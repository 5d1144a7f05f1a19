// `received`: a device got these messages. Group ones are acknowledged to
// their groups (../group-acks.ts); one-to-one ones move the chat's delivered
// position (../mailbox-receipts.ts) and their receipts are gathered for the
// senders (../receipt-gather.ts).

import type { ClientFrameOf } from "../../../shared/protocol";
import type { UserParts } from "../parts";

export function onReceived(me: UserParts, _ws: WebSocket, frame: ClientFrameOf<"received">): Promise<void> | void {
  const ids = me.groupAcks.received(frame.ids);
  if (ids.length === 0) return;
  return me.writes.run(() => me.receipts.add(me.mailbox.markDelivered(ids), "delivered"));
}
