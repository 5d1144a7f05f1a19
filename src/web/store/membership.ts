// Whether the user is still in a group, as its system messages say: the
// newest one about the user decides (removed or left, then maybe added again).

import type { Message } from "../../shared/protocol";

export function stillMember(messages: Iterable<Message>, userId: string): boolean {
  let newest: Message | undefined;
  for (const m of messages) {
    if (m.system?.user !== userId) continue;
    if (!newest || m.id > newest.id) newest = m;
  }
  const event = newest?.system?.event;
  return event !== "removed" && event !== "left";
}
