// Fault injection into a user object's outbox: its delivery function is
// wrapped, in the live instance, until that instance is evicted. The tests of
// retries, restarts and twice-fired alarms share this one way of doing it.

import { runInDurableObject } from "cloudflare:test";
import type { Deliver } from "../objects/storage/outbox";
import type { UserObject } from "../objects/user-object";
import { userStub } from "./helpers";

/** Replaces `userId`'s outbox delivery with `wrap(real)`. */
export async function wrapDeliveries(userId: string, wrap: (real: Deliver) => Deliver): Promise<void> {
  await runInDurableObject(userStub(userId), (instance: UserObject) => {
    const outbox = (instance as unknown as { outbox: { deliver: Deliver } }).outbox;
    outbox.deliver = wrap(outbox.deliver);
  });
}
