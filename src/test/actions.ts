// Helpers for the message-action tests in the Workers runtime: send and act
// over real sockets, wait for the answer by clientId, read an object's rows.

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { ChatId, Message, ServerFrame } from "../shared/protocol";
import { connect, register, type TestSocket, userStub } from "./helpers";

type Answer = Extract<ServerFrame, { type: "update" | "removed" | "error" | "sent" }>;

export async function sendAndWait(socket: TestSocket, chat: string, text: string, clientId: string, replyTo?: string) {
  socket.send({ type: "send", clientId, chat, text, ...(replyTo ? { replyTo } : {}) });
  const answer = await answerTo(socket, clientId);
  if (answer.type !== "sent") throw new Error(`send ${clientId} failed: ${JSON.stringify(answer)}`);
  return answer;
}

/** Sends a frame and waits for the answer that names its clientId: update, removed, sent or error. */
export async function act(socket: TestSocket, frame: { clientId: string; [key: string]: unknown }): Promise<Answer> {
  socket.send(frame);
  return answerTo(socket, frame.clientId);
}

export async function answerTo(socket: TestSocket, clientId: string): Promise<Answer> {
  let found: Answer | undefined;
  await socket.until((s) => {
    found = s.frames.find(
      (f): f is Answer =>
        typeof f !== "string" &&
        (f.type === "update" || f.type === "removed" || f.type === "error" || f.type === "sent") &&
        f.clientId === clientId,
    );
    return found !== undefined;
  });
  return found as Answer;
}

/** Runs the object's alarm until its outbox is empty (each test cleans up its own alarms). */
export async function drainAlarms(userId: string): Promise<void> {
  const stub = userStub(userId);
  for (let i = 0; i < 5 && (await stub.stats()).outbox > 0; i++) await runDurableObjectAlarm(stub);
  await runDurableObjectAlarm(stub);
}

/** Rows of a query inside a user's object. */
export async function rows<T extends Record<string, SqlStorageValue>>(
  userId: string,
  query: string,
  ...bindings: SqlStorageValue[]
): Promise<T[]> {
  return runInDurableObject(userStub(userId) as DurableObjectStub, (_, state) =>
    state.storage.sql.exec<T>(query, ...bindings).toArray(),
  );
}

/**
 * Rows of a query about `receipts`, once the receipts the object holds for
 * its next commit (user/receipt-hold.ts) are written, as sync and message
 * info write them before they read.
 */
export async function receiptRows<T extends Record<string, SqlStorageValue>>(
  userId: string,
  query: string,
  ...bindings: SqlStorageValue[]
): Promise<T[]> {
  return runInDurableObject(userStub(userId) as DurableObjectStub, (object, state) => {
    (object as unknown as { parts: { mailbox: { held: { write(): void } } } }).parts.mailbox.held.write();
    return state.storage.sql.exec<T>(query, ...bindings).toArray();
  });
}

/** A chat row's `handed` as stored: the newest own message the peer's object confirmed (user/peer-log.ts). */
export async function handed(userId: string, chat: string): Promise<string | null> {
  const [row] = await rows<{ handed: string | null }>(userId, "SELECT handed FROM chats WHERE chat = ?", chat);
  if (!row) throw new Error(`no chat row ${chat} in ${userId}'s object`);
  return row.handed;
}

/**
 * Makes a message older, as if sent `ms` earlier (to test the edit and delete windows), in each
 * user's object that has its row: the sender's and its copy, or a hosted chat's one, at its host.
 */
export async function age(userIds: string[], id: string, ms: number): Promise<void> {
  for (const userId of userIds) {
    await runInDurableObject(userStub(userId) as DurableObjectStub, (_, state) => {
      state.storage.sql.exec("UPDATE messages SET ts = ts - ? WHERE id = ?", ms, id);
    });
  }
}

/** Two new users, each with a socket, and their chat ids as each other sees them. */
export async function pair() {
  const alice = await register();
  const bob = await register();
  const a = await connect(alice.token);
  const b = await connect(bob.token);
  return { alice, bob, a, b, toBob: `u:${bob.user.id}` as ChatId, toAlice: `u:${alice.user.id}` as ChatId };
}

/** A chat's history as stored in a user's object (up to 100 messages). */
export function mailboxHistory(userId: string, chat: string): Promise<Message[]> {
  return userStub(userId).history(chat, undefined, 100);
}

/** What a fresh device of the user gets on `sync after 0`, frames only. */
export async function replay(token: string) {
  const socket = await connect(token);
  socket.send({ type: "sync", after: 0 });
  await socket.next("synced");
  socket.close();
  return socket.frames.filter((f) => typeof f !== "string" && f.type !== "synced");
}

export function closeAll(...sockets: TestSocket[]): void {
  for (const s of sockets) s.close();
}
