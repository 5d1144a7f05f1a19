// Helpers for the tests of the host's hand-over in a hosted chat
// (user/hosted-push*.test.ts): a host and a guest with devices, the guest's
// send switched on, and what a device's sync shows of the chat.

import { runInDurableObject } from "cloudflare:test";
import type { ChatId, Message } from "../shared/protocol";
import { clearAlarms } from "./groups";
import { connect, type TestSocket, userStub } from "./helpers";
import { hostAndGuest, hostedSendOff, hostedSendOn, partsOf } from "./hosted";

/** A host and a guest (the guest's send on unless `on` is false), a device each, speaking. */
export async function hostedPair(on = true) {
  const { host, guest } = await hostAndGuest();
  // Off is pinned, not left to the run's default: those tests are of today's copies.
  await (on ? hostedSendOn : hostedSendOff)(guest.user.id);
  const atGuest: ChatId = `u:${host.user.id}`;
  const atHost: ChatId = `u:${guest.user.id}`;
  const g = await connect(guest.token);
  const h = await connect(host.token);
  for (const s of [g, h]) await s.speak();
  const opened: TestSocket[] = [g, h];
  const device = async (token: string) => {
    const s = await connect(token);
    opened.push(s);
    await s.speak();
    return s;
  };
  const end = async () => {
    for (const s of opened) s.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  };
  return { host, guest, atGuest, atHost, g, h, device, end };
}

/** Sends a text from a device and answers its `sent`. */
export async function say(s: TestSocket, chat: ChatId, clientId: string, text = `text ${clientId}`) {
  s.send({ type: "send", clientId, chat, text });
  return s.next("sent", (f) => f.clientId === clientId);
}

/** The messages of `chat` a device was shown (live or by its sync), in the order shown, as [id, seq, text]. */
export function shown(s: TestSocket, chat: ChatId): [string, number, string][] {
  return s
    .of("message")
    .filter((f) => f.message.chat === chat)
    .map((f) => [f.message.id, f.message.seq, f.message.text]);
}

/** The newest state a device was shown of message `id` (its message frame, then its updates). */
export function latest(s: TestSocket, id: string): Message | undefined {
  let found: Message | undefined;
  for (const f of s.frames) {
    if (typeof f === "string") continue;
    if ((f.type === "message" || f.type === "update") && f.message.id === id) found = f.message;
  }
  return found;
}

/** Where a user's `group_chats` row of `chat` stands in memory (taken, written or not): [upto, uptoPos]. */
export async function standing(userId: string, chat: ChatId): Promise<[string, number] | null> {
  return runInDurableObject(userStub(userId), (instance) => {
    const row = partsOf(instance).groups.get(chat);
    return row ? [row.upto, row.uptoPos] : null;
  });
}
