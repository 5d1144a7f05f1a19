// For tests of user-visible behaviour that also look at storage: whether a
// one-to-one chat is hosted (docs/one-copy-per-chat.md; HOSTED_GUEST_SEND=on
// and the guest sent), so its messages since then are stored once, at the host.

import { storedChats } from "./hosted";

/** The host's id if the chat of `x` and `y` is hosted (its host's chat row has a `hosted_from`, "" included), else null. */
export async function hostOf(x: string, y: string): Promise<string | null> {
  const [host, guest] = x < y ? [x, y] : [y, x];
  const row = (await storedChats(host)).find((c) => c.chat === `u:${guest}`);
  return row?.hosted_from != null ? host : null; // "" when the chat began hosted
}
