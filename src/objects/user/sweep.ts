// The silent-socket sweep. A closed tab or a lost network does not always fire
// webSocketClose, so while the user has sockets the object's alarm comes back
// and drops every socket not heard from within the timeout. This is what keeps
// "online" true to life.

import { dropSocket, type LiveSocket } from "./presence";

/** The close code a swept socket gets: silent for longer than the timeout. */
export const SILENT_CLOSE_CODE = 4002;

export interface SweepResult {
  dropped: LiveSocket[];
  remaining: LiveSocket[];
  /** When the next sweep is due (the earliest deadline of the remaining sockets), or null if none remain. */
  nextAt: number | null;
}

export function sweep(live: LiveSocket[], now: number, timeout: number): SweepResult {
  const dropped: LiveSocket[] = [];
  const remaining: LiveSocket[] = [];
  let nextAt: number | null = null;
  for (const socket of live) {
    const deadline = socket.heard + timeout;
    if (deadline <= now) {
      dropSocket(socket, now, SILENT_CLOSE_CODE, "silent for too long");
      dropped.push(socket);
    } else {
      remaining.push(socket);
      nextAt = nextAt === null ? deadline : Math.min(nextAt, deadline);
    }
  }
  return { dropped, remaining, nextAt };
}
