// Fault injection into a user object's outbox: its delivery function is
// wrapped, in the live instance, until that instance is evicted. The tests of
// retries, restarts and twice-fired alarms share this one way of doing it.

import { runInDurableObject } from "cloudflare:test";
import type { Deliver } from "../objects/storage/outbox";
import type { UserObject } from "../objects/user-object";
import { userStub } from "./helpers";

/**
 * Replaces `userId`'s deliveries with `wrap(real)`: the outbox's and the
 * mailbox's own (one-to-one messages, user/peer-log.ts), one wrapper for both.
 */
export async function wrapDeliveries(userId: string, wrap: (real: Deliver) => Deliver): Promise<void> {
  await runInDurableObject(userStub(userId), (instance: UserObject) => {
    const { parts } = instance as unknown as { parts: { outbox: { deliver: Deliver }; peers: { deliver: Deliver } } };
    const wrapped = wrap(parts.outbox.deliver);
    parts.outbox.deliver = wrapped;
    parts.peers.deliver = wrapped;
  });
}

/** Backoffs of `userId`'s one-to-one deliveries end now (they live in memory; a restart ends them too). */
export async function peersDueNow(userId: string): Promise<void> {
  await runInDurableObject(userStub(userId), (instance: UserObject) => {
    (instance as unknown as { parts: { peers: { dueNow(): void } } }).parts.peers.dueNow();
  });
}
