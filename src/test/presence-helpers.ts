// Helpers for the presence tests: read a user's presence over HTTP, look at
// its object's alarm, and move its sockets' signs of life back in time (the
// controlled clock: the sweep then sees them as silent without a real wait).

import { runInDurableObject } from "cloudflare:test";
import type { Presence } from "../shared/protocol";
import { api, userStub } from "./helpers";

export async function presenceOf(userId: string, viewerToken: string): Promise<Presence> {
  const res = await api(`/api/users/${userId}/presence`, { token: viewerToken });
  if (res.status !== 200) throw new Error(`presence failed: ${res.status} ${await res.text()}`);
  return res.json();
}

export function alarmOf(userId: string): Promise<number | null> {
  return runInDurableObject(userStub(userId), (_, state) => state.storage.getAlarm());
}

/**
 * Moves the user's clock of presence `ms` back: every socket's recorded signs
 * of life, the stored lastSeen, and the times the object's needs of its alarm
 * asked for (so the presence sweep is due when the test runs the alarm, as
 * it would be after a real wait). Answers the sockets' new times, oldest first.
 */
export function ageSockets(userId: string, ms: number): Promise<number[]> {
  return runInDurableObject(userStub(userId), (instance, state) => {
    const needs = (instance as unknown as { parts: { alarms: { needs: Map<string, number> } } }).parts.alarms.needs;
    for (const [need, time] of needs) needs.set(need, time - ms);
    state.storage.sql.exec("UPDATE meta SET value = CAST(value AS INTEGER) - ? WHERE key = 'last_seen'", ms);
    const times: number[] = [];
    for (const ws of state.getWebSockets()) {
      const info = ws.deserializeAttachment() as { connectedAt: number; heardAt?: number };
      const aged = { ...info, connectedAt: info.connectedAt - ms, heardAt: (info.heardAt ?? info.connectedAt) - ms };
      ws.serializeAttachment(aged);
      times.push(aged.heardAt);
    }
    return times.sort((a, b) => a - b);
  });
}

/** Runs SQL inside a user's object (to age subscriptions, for example); answers the rows. */
export function sqlIn<T extends Record<string, SqlStorageValue>>(
  userId: string,
  query: string,
  ...params: SqlStorageValue[]
): Promise<T[]> {
  return runInDurableObject(userStub(userId), (_, state) => state.storage.sql.exec<T>(query, ...params).toArray());
}

/** Polls until `check` answers something truthy; fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, what: string, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
