// Helpers of the end-to-end tests of message actions (test/e2e/actions*.test.ts):
// a send that must be answered `sent`, a chat's history (now, or once it
// matches), and a fresh device's replay of one message.

import type { AuthAnswer, Message } from "../../src/shared/protocol";
import { act } from "./act";
import { http, RawSocket } from "./raw-socket";

/** Sends a text (a reply if `replyTo`); throws unless the answer is `sent`. */
export async function send(socket: RawSocket, chat: string, text: string, clientId: string, replyTo?: string) {
  const answer = await act(socket, { type: "send", clientId, chat, text, ...(replyTo ? { replyTo } : {}) });
  if (answer.type !== "sent") throw new Error(`send failed: ${JSON.stringify(answer)}`);
  return answer;
}

/** A chat's history as `reader` sees it (up to 100 messages). */
export async function history(url: string, reader: AuthAnswer, chat: string): Promise<Message[]> {
  const res = await http<{ messages: Message[] }>(url, `/api/chats/${chat}/messages?limit=100`, {
    token: reader.token,
  });
  if (res.status !== 200) throw new Error(`history ${res.status}`);
  return res.body.messages;
}

/** Polls a history until `check` holds (deliveries are asynchronous). */
export async function historyWhen(url: string, reader: AuthAnswer, chat: string, check: (m: Message[]) => boolean) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const messages = await history(url, reader, chat);
    if (check(messages)) return messages;
    if (Date.now() > deadline) throw new Error(`history never matched: ${JSON.stringify(messages).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A fresh device's full replay: the frames for one message, in order, as [type, text]. */
export async function replayOf(url: string, user: AuthAnswer, id: string): Promise<[string, string][]> {
  const socket = await RawSocket.open(url, user.token);
  await socket.sync(0);
  socket.close();
  return socket.frames.flatMap((f): [string, string][] =>
    typeof f !== "string" && (f.type === "message" || f.type === "update") && f.message.id === id
      ? [[f.type, f.message.text]]
      : [],
  );
}
