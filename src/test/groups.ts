// Helpers for group tests in the Workers runtime: create groups through the
// real Worker, add users straight to D1 when a test needs hundreds of them
// (registering each would spend a PBKDF2 hash), and wait for a group's
// fan-out to finish.

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { randomId } from "../shared/ids";
import type { AuthAnswer, Group, Message } from "../shared/protocol";
import { bucketOfUsername, byShard, newUserId, userDb } from "../shared/shards";
import { createSession } from "../workers/auth/sessions";
import { signToken } from "../workers/auth/token";
import { api, register, userStub } from "./helpers";

export function groupStub(groupId: string) {
  return env.GROUPS.get(env.GROUPS.idFromName(groupId));
}

export async function createGroup(token: string, name: string, members: string[]): Promise<Group> {
  const res = await api("/api/groups", { method: "POST", token, body: { name, members } });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return res.json();
}

/** `n` registered users in a group named "team": the first is its admin, the rest members. */
export async function team(n: number) {
  const users = await Promise.all(Array.from({ length: n }, () => register()));
  const [admin, ...rest] = users as [AuthAnswer, ...AuthAnswer[]];
  const group = await createGroup(
    admin.token,
    "team",
    rest.map((u) => u.user.id),
  );
  return { users, admin, rest, group, chat: `g:${group.id}` as const };
}

export async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

/** Account rows without a usable password, for tests that need many users: each on its shard, as registration places it. */
export async function insertUsers(count: number): Promise<string[]> {
  const users = Array.from({ length: count }, () => {
    const username = `bulk_${randomId()}`;
    return { id: newUserId(bucketOfUsername(username)), username };
  });
  const now = Date.now();
  await Promise.all(
    [...byShard(users.map((u) => u.id))].map(([shard, ids]) => {
      const db = env[shard];
      const insert = db.prepare(
        `INSERT INTO users (id, username, display_name, password_hash, password_salt, password_iterations, created_at)
         VALUES (?, ?, ?, 'x', 'x', 1, ?)`,
      );
      const mine = users.filter((u) => ids.includes(u.id));
      return db.batch(mine.map((u) => insert.bind(u.id, u.username, `Bulk ${u.id}`, now)));
    }),
  );
  return users.map((u) => u.id);
}

/** A token for each of these users (inserted with insertUsers): a real session in D1, signed as login signs it. */
export async function tokensFor(userIds: string[]): Promise<string[]> {
  return Promise.all(
    userIds.map(async (userId) => {
      const session = await createSession(userDb(env, userId), userId, "test");
      return signToken({ userId, sessionId: session.id }, env.JWT_SECRET);
    }),
  );
}

/** Waits until the group's fan-out has delivered everything it owes. */
export async function settle(groupId: string, ms = 10_000): Promise<void> {
  const stub = groupStub(groupId);
  const deadline = Date.now() + ms;
  for (;;) {
    const stats = await stub.stats();
    if (stats.behind === 0 && !stats.busy) return;
    if (Date.now() > deadline) throw new Error(`fan-out not settled: ${JSON.stringify(stats)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Cancels the alarms of these objects, so none fires after the test (they persist across tests). */
export async function clearAlarms(groupIds: string[], userIds: string[] = []): Promise<void> {
  const stubs = [...groupIds.map(groupStub), ...userIds.map(userStub)];
  for (const stub of stubs) {
    await runInDurableObject(stub as DurableObjectStub, (_, state) => state.storage.deleteAlarm());
  }
}

/** A user's whole history of one chat, oldest first (read from their own object). */
export async function historyOf(userId: string, chat: `g:${string}`): Promise<Message[]> {
  return userStub(userId).history(chat, undefined, 100);
}
