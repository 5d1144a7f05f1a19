// Helpers for the tests of what a guest reads of a hosted chat
// (user/hosted-views*.test.ts, user/hosted-views.ts): a chat with messages
// before and after hosting began, JSON from the routes, a host whose reads fail.

import type { ChatId, Message } from "../shared/protocol";
import { clearAlarms } from "./groups";
import { api, connect, type TestSocket } from "./helpers";
import { hostAndGuest, hostedSendOff, hostedSendOn } from "./hosted";
import { hostFails } from "./hosted-faults";

async function sendFrom(s: TestSocket, chat: string, clientId: string, text: string) {
  s.send({ type: "send", clientId, chat, text });
  return s.next("sent", (f) => f.clientId === clientId);
}

/**
 * A hosted chat: `older` messages of the guest's and three more before
 * hosting (copies in both mailboxes), then three after it (the guest's two
 * sent through the host, its switch on, and the host's between).
 */
export async function hostedChat(older = 0) {
  const { host, guest } = await hostAndGuest();
  const chat: ChatId = `u:${host.user.id}`;
  const g = await connect(guest.token);
  const h = await connect(host.token);
  for (const s of [g, h]) await s.speak();
  // Before hosting: today's copies, whatever the run's default (HOSTED_GUEST_SEND).
  await hostedSendOff(guest.user.id);
  // Each message reaches the other side before the next is sent: ids (times) in the order written.
  const fromGuest = async (clientId: string, text: string) => {
    const sent = await sendFrom(g, chat, clientId, text);
    await h.next("message", (f) => f.message.id === sent.id);
    return sent;
  };
  const fromHost = async (clientId: string, text: string) => {
    const sent = await sendFrom(h, `u:${guest.user.id}`, clientId, text);
    await g.next("message", (f) => f.message.id === sent.id);
    return sent;
  };
  const olderIds: string[] = [];
  for (let i = 0; i < older; i++) olderIds.push((await fromGuest(`o${i}`, `older turnip ${i}`)).id);
  const pre1 = await fromGuest("a1", "pre guest one");
  const pre2 = await fromHost("a2", "pre host two");
  const pre3 = await fromGuest("a3", "pre guest three");
  await hostedSendOn(guest.user.id);
  const post1 = await fromGuest("b1", "post guest alpha");
  const post2 = await fromHost("b2", "post host beta");
  const post3 = await fromGuest("b3", "post guest gamma");
  const ids = [pre1, pre2, pre3, post1, post2, post3].map((s) => s.id);
  const end = async (...more: TestSocket[]) => {
    for (const s of [g, h, ...more]) s.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  };
  return { host, guest, chat, g, h, ids, olderIds, end };
}

export async function getJson<T>(path: string, token: string): Promise<{ status: number; body: T }> {
  const res = await api(path, { token });
  return { status: res.status, body: (await res.json()) as T };
}

/** The guest's object gets a host whose reads throw (./hosted-faults.ts); answers the undo. */
export function hostReadsFail(guestId: string, hostId: string): Promise<() => Promise<void>> {
  return hostFails(guestId, hostId, (name) => name.startsWith("hosted"), false);
}

export const codeOf = (body: unknown) => (body as { error?: { code?: string } }).error?.code;
export const idsOf = (messages: Message[]) => messages.map((m) => m.id);
