// One-to-one receipts of this user's devices, gathered for a moment before
// they are handed to the senders: a device acknowledges each message in its
// own frame as it arrives, and a receipt per frame (an outbox row, its
// deletion, and the sender's receipts row) was most of what a one-to-one
// message cost to write. The messages are marked delivered or read at once
// (so unread counts and a repeated acknowledgement see it); what the marking
// answered waits RECEIPT_GATHER_MS, so the frames of a burst make one receipt
// per sender and status.
//
// They go straight to the sender's object, and to the durable outbox only if
// that fails (storage/outbox.ts, `offer`). Crash: a receipt gathered and not
// yet answered by the sender (or written to the outbox) is lost with the
// object: a tick (the messages are stored and delivered); docs/architecture.md.

import type { ChatId, ReceiptStatus } from "../../shared/protocol";
import type { InboxReceipt } from "../inbox";
import type { ReceiptGroup } from "./mailbox";

export const RECEIPT_GATHER_MS = 250;

export class ReceiptGather {
  /** `${status} ${sender} ${chat}` → the ids gathered. */
  private readonly pending = new Map<string, { status: ReceiptStatus; group: ReceiptGroup }>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** `flush` hands over what `take` answers. */
  constructor(private readonly flush: () => void) {}

  add(groups: readonly ReceiptGroup[], status: ReceiptStatus): void {
    for (const group of groups) {
      const key = `${status} ${group.sender} ${group.chat}`;
      const gathered = this.pending.get(key);
      if (gathered) gathered.group.ids.push(...group.ids);
      else this.pending.set(key, { status, group: { ...group, ids: [...group.ids] } });
    }
    if (this.pending.size > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.flush();
      }, RECEIPT_GATHER_MS);
    }
  }

  /** Receipts waiting to be handed over. */
  get size(): number {
    return this.pending.size;
  }

  take(): { status: ReceiptStatus; group: ReceiptGroup }[] {
    const taken = [...this.pending.values()];
    this.pending.clear();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    return taken;
  }
}

/** A receipt as the sender's object receives it: the chat as the sender sees it, unique without a clock. */
export function receiptItem(reader: string, group: ReceiptGroup, status: ReceiptStatus, now: number): InboxReceipt {
  return {
    kind: "receipt",
    // One reader makes one receipt of a status per newest id and millisecond.
    rid: `${reader}.${status}.${now}.${group.ids.at(-1)}`,
    chat: (group.chat.startsWith("g:") ? group.chat : `u:${reader}`) as ChatId,
    ids: group.ids,
    status,
    by: reader,
    ts: now,
  };
}
