// A message typed but not yet confirmed by the server (offline, or in flight),
// or one the server refused for good.

import type { QueuedSend } from "@edge-chat/client";
import { clock } from "./format";
import { Ticks } from "./ticks";

export function FailedBubble({ text, reason }: { text: string; reason: string }) {
  return (
    <li class="bubble mine failed">
      <span class="sr-only">You: </span>
      <span class="text">{text}</span>
      <span class="meta" role="alert">
        Not sent: {reason}
      </span>
    </li>
  );
}

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
