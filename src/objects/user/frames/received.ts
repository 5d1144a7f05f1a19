// `received`: a device got these messages. Group ones are acknowledged to
// their groups (../group-acks.ts); one-to-one ones move the chat's delivered
// position (../mailbox-receipts.ts) and their receipts are gathered for the
// senders (../receipt-gather.ts).

import type { ClientFrameOf } from "../../../shared/protocol";
import type { UserParts } from "../parts";

export function onReceived(me: UserParts, _ws: WebSocket, frame: ClientFrameOf<"received">): Promise<void> | void {
  // The one-to-one messages this object delivered this wake are known by id in
  // memory: only the others are looked for among the groups (a read per id).
  const direct: string[] = [];
  const other: string[] = [];
  for (const id of frame.ids) (me.mailbox.lookup.remembered(id)?.startsWith("u:") ? direct : other).push(id);
  const ids = other.length === 0 ? direct : [...direct, ...me.groupAcks.received(other)];
  if (ids.length === 0) return;
  return me.writes.run(() => me.receipts.add(me.mailbox.markDelivered(ids), "delivered"));
}
