// Helpers for the group crash tests (group/*-faults.test.ts): a settled group
// of registered users, messages sent over a real socket, an object killed
// where it stands, and what a fresh device gets afterwards. A new fault test
// reads like this:
//
//   const t = await settledTeam(2);
//   const a = await connect(t.admin.token);
//   const ids = await sendAll(a, t.chat, ["one", "two"]);
//   await crash(groupStub(t.group.id));
//   expect((await replayed(t.bob.token, t.chat)).map((m) => m.text)).toEqual(["one", "two"]);
//   await t.end(a);

import { runInDurableObject } from "cloudflare:test";
import type { AuthAnswer, Message } from "../shared/protocol";
import { clearAlarms, settle, team } from "./groups";
import { connect, type TestSocket } from "./helpers";

/** `team(n)` with its fan-out settled; `bob` is the first member, `member(i)` any (it throws past the last). */
export async function settledTeam(n = 2) {
  const t = await team(n);
  await settle(t.group.id);
  const member = (i: number): AuthAnswer => {
    const user = t.rest[i];
    if (!user) throw new Error(`team(${n}) has no member ${i}`);
    return user;
  };
  /** Closes these sockets, then cancels the alarms of the group and of every user in it. */
  const end = async (...sockets: TestSocket[]): Promise<void> => {
    for (const socket of sockets) socket.close();
    await clearAlarms(
      [t.group.id],
      t.users.map((u) => u.user.id),
    );
  };
  return { ...t, bob: member(0), member, end };
}

/** Sends these texts one after the other (each its own clientId, the text), waiting for each `sent`: their ids. */
export async function sendAll(socket: TestSocket, chat: `g:${string}`, texts: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const text of texts) {
    socket.send({ type: "send", clientId: text, chat, text });
    ids.push((await socket.next("sent", (f) => f.clientId === text)).id);
  }
  return ids;
}

/** Waits until the socket has had a `message` frame for each of these ids. */
export async function receivedAll(socket: TestSocket, ids: string[]): Promise<void> {
  await socket.until((s) => s.of("message").filter((f) => ids.includes(f.message.id)).length === ids.length);
}

/** The object (a user's or a group's stub) dies where it stands: no close, no flush, memory gone (ctx.abort). */
export async function crash(stub: unknown): Promise<void> {
  await runInDurableObject(stub as DurableObjectStub, (_instance, state) => state.abort("test crash")).catch(
    () => undefined,
  );
}

/** Everything a fresh device of this user gets by `sync after 0` for one chat, system messages too, in order. */
export async function replayed(token: string, chat: string): Promise<Message[]> {
  const device = await connect(token);
  device.send({ type: "sync", after: 0 });
  await device.next("synced");
  device.close();
  return device
    .of("message")
    .map((f) => f.message)
    .filter((m) => m.chat === chat);
}

/** Pings every 300 ms, or the presence sweep of the tests (2 s) drops a quiet socket; answers the stop. */
export function keepAlive(sockets: TestSocket[]): () => void {
  const timer = setInterval(() => {
    for (const s of sockets) if (!s.closed) s.send("ping");
  }, 300);
  return () => clearInterval(timer);
}
