// Helpers for the tests of a hosted chat's receipts (user/hosted-receipts*.test.ts,
// docs/one-copy-per-chat.md "Step 3, as built").

import type { ChatId, ServerFrame } from "../shared/protocol";
import { clearAlarms } from "./groups";
import { connect, type TestSocket } from "./helpers";
import { hostAndGuest, hostedSendOn } from "./hosted";

type Receipt = Extract<ServerFrame, { type: "receipt" }>;

/** Host and guest with a device each, the guest's send on, and `n` guest messages the host's device has. */
export async function hostedChat(n: number) {
  const { host, guest } = await hostAndGuest();
  await hostedSendOn(guest.user.id);
  const chat: ChatId = `u:${host.user.id}`;
  const g = await connect(guest.token);
  const h = await connect(host.token);
  for (const s of [g, h]) await s.speak();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    g.send({ type: "send", clientId: `c${i}`, chat, text: `guest ${i}` });
    const sent = await g.next("sent", (f) => f.clientId === `c${i}`);
    await h.next("message", (f) => f.message.id === sent.id);
    ids.push(sent.id);
  }
  const end = async (...more: TestSocket[]) => {
    for (const s of [g, h, ...more]) s.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  };
  return { host, guest, chat, hostChat: `u:${guest.user.id}` as ChatId, g, h, ids, end };
}

/** The ids each `receipt` frame of a status named, in order. */
export function ticks(socket: TestSocket, status: "delivered" | "read"): string[] {
  return socket
    .of("receipt")
    .filter((r: Receipt) => r.status === status)
    .flatMap((r) => r.ids);
}

/** Everything a fresh device replays from `sync after 0`: its receipt frames. */
export async function replayedReceipts(token: string): Promise<Receipt[]> {
  const device = await connect(token);
  device.send({ type: "sync", after: 0 });
  await device.next("synced");
  device.close();
  return device.of("receipt");
}
