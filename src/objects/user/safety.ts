// Blocking another user (docs/security.md): nothing of theirs reaches this
// user, and nothing of this user's presence reaches them.

import { AppError, settle } from "../../shared/errors";
import type { UserParts } from "./parts";
import { HIDDEN } from "./presence";

export function block(me: UserParts, userId: string) {
  return settle(async () => {
    if (userId === me.userId) throw new AppError("invalid_field", "you cannot block yourself");
    me.blocks.add(userId, Date.now());
    await me.presence.refreshFor(userId);
    // This user's own devices stop seeing the blocked user's presence at once.
    me.presence.watcher.deliver(userId, { ...HIDDEN, at: Date.now() });
    return null;
  });
}

export async function unblock(me: UserParts, userId: string): Promise<void> {
  me.blocks.remove(userId);
  await me.presence.refreshFor(userId);
}
