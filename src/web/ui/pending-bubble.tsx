// A message typed but not yet confirmed by the server (offline, or in flight).

import type { QueuedSend } from "../../client";
import { clock } from "./format";
import { Ticks } from "./ticks";

export function PendingBubble({ item }: { item: QueuedSend }) {
  return (
    <li class="bubble mine pending" data-client-id={item.clientId}>
      <span class="sr-only">You: </span>
      <span class="text">{item.text}</span>
      <span class="meta">
        <time dateTime={new Date(item.createdAt).toISOString()}>{clock(item.createdAt)}</time>
        <Ticks status="pending" />
      </span>
    </li>
  );
}
