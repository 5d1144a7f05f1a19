// Helpers for the tests of a host's own version of the rows its blocked
// guest changes (user/host-views.ts): the pair, changes sent and what each
// side is shown.

import type { ChatId, Message } from "../shared/protocol";
import { replay } from "./actions";
import { type TestSocket, userStub } from "./helpers";
import { hostedDevices } from "./hosted";
import { getJson } from "./hosted-chat";

/** A guest (its send on, two devices) and its host (one device), as ./hosted.ts makes them; the chat as the host names it. */
export async function pair() {
  const devices = await hostedDevices();
  const atHost: ChatId = `u:${devices.guest.user.id}`;
  return { ...devices, stub: userStub(devices.host.user.id), atHost };
}

export async function sendText(socket: TestSocket, chat: ChatId, clientId: string, text: string) {
  socket.send({ type: "send", clientId, chat, text });
  return socket.next("sent", (f) => f.clientId === clientId);
}

/** Sends a change from a guest device and waits for its answer there. */
export async function change(socket: TestSocket, frame: Record<string, unknown> & { clientId: string }) {
  socket.send(frame as never);
  return socket.next("update", (f) => f.clientId === frame.clientId);
}

/** Whatever the host's object would have sent the device has arrived: it answers a ping after it. */
export async function settled(h: TestSocket): Promise<void> {
  const pongs = h.frames.filter((f) => f === "pong").length;
  h.send("ping");
  await h.until((s) => s.frames.filter((f) => f === "pong").length > pongs);
}

/** [text, editedAt set, reactions] of a message, as a reader is shown it. */
export function seen(m: Pick<Message, "text" | "editedAt" | "reactions"> | undefined) {
  return [m?.text, m?.editedAt !== undefined, (m?.reactions ?? []).map((r) => `${r.from}:${r.emoji}`)];
}

/** The message as the host's history, a fresh device's sync and its chat list show it. */
export async function hostSees(token: string, hostId: string, atHost: ChatId, id: string) {
  const stub = userStub(hostId);
  const synced = (await replay(token)).flatMap((f) =>
    typeof f !== "string" && (f.type === "message" || f.type === "update") && f.message.id === id ? [f.message] : [],
  );
  const last = (await stub.chats()).find((c) => c.chat === atHost)?.lastMessage;
  return {
    history: seen((await stub.history(atHost, undefined, 50)).find((m) => m.id === id)),
    synced: synced.map(seen),
    last: last?.id === id ? seen(last) : "not last",
  };
}

export async function guestHistory(token: string, chat: ChatId): Promise<Map<string, Message>> {
  const history = await getJson<{ messages: Message[] }>(`/api/chats/${chat}/messages?limit=50`, token);
  return new Map(history.body.messages.map((m) => [m.id, m]));
}
