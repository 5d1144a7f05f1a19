// Two users whose one-to-one chat keeps today's copies whatever the run's
// HOSTED_GUEST_SEND (docs/one-copy-per-chat.md): a chat is hosted only once
// the user whose id sorts last sends with the switch on, so the sender here
// sorts first. Unlike hostedSendOff, the order survives an eviction or crash.

import type { AuthAnswer, ChatId } from "../shared/protocol";
import { connect, register } from "./helpers";

/** Two new users: `alice` (its id sorts first, its sends are copies through the peer log) and `bob`. */
export async function senderFirst(): Promise<{ alice: AuthAnswer; bob: AuthAnswer }> {
  const x = await register();
  const y = await register();
  const [alice, bob] = x.user.id < y.user.id ? [x, y] : [y, x];
  return { alice, bob };
}

/** As `pair` (./actions.ts), alice's id sorting first: a device each, and the chat as each names it. */
export async function pairSenderFirst() {
  const { alice, bob } = await senderFirst();
  const a = await connect(alice.token);
  const b = await connect(bob.token);
  return { alice, bob, a, b, toBob: `u:${bob.user.id}` as ChatId, toAlice: `u:${alice.user.id}` as ChatId };
}
