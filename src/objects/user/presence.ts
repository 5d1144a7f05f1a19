// Who is online, computed from the user's sockets. A socket counts while it is
// open and the server has not dropped it. Its device was last heard from at
// the later of its last heartbeat (the runtime's auto-response records it
// without waking the object) and its last other frame (recorded here in the
// socket's attachment, coarsely, so that a busy socket is not re-serialized on
// every frame).

import { HEARD_GRANULARITY_MS, SOCKET_TIMEOUT_MS } from "../../shared/limits";
import type { LastSeenVisibility, Presence } from "../../shared/protocol";
import { attach, endSocket, hasSpoken, info, type SocketInfo } from "./sockets";

export interface LiveSocket {
  ws: WebSocket;
  info: SocketInfo;
  /** When its device was last heard from (ms). */
  heard: number;
  /** Whether its device has sent anything yet (see endSocket). */
  spoke: boolean;
}

/** A presence as one viewer may see it, stamped by the watched object's clock so that stale news loses. */
export interface PresenceView extends Presence {
  at: number;
}

export const HIDDEN: Presence = { online: false, lastSeen: null };

/** The silent-device timeout: SOCKET_TIMEOUT_MS from the environment (tests shorten it), else 60 s. */
export function socketTimeout(env: Env): number {
  const value = Number(env.SOCKET_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : SOCKET_TIMEOUT_MS;
}

/** How stale a socket's recorded sign of life may get: well under the timeout. */
export function heardGranularity(timeout: number): number {
  return Math.min(HEARD_GRANULARITY_MS, Math.floor(timeout / 4));
}

export function heardAt(ctx: DurableObjectState, ws: WebSocket, socket: SocketInfo): number {
  const ping = ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
  return Math.max(socket.heardAt ?? socket.connectedAt, ping);
}

/** The sockets that make the user online, except `except` (one being closed right now). */
export function liveSockets(ctx: DurableObjectState, except?: WebSocket): LiveSocket[] {
  const out: LiveSocket[] = [];
  for (const ws of ctx.getWebSockets()) {
    // A socket the server closed stays listed (CLOSING) until its peer answers.
    if (ws === except || ws.readyState !== WebSocket.OPEN) continue;
    const socket = info(ws);
    if (!socket || socket.goneAt !== undefined) continue;
    out.push({ ws, info: socket, heard: heardAt(ctx, ws, socket), spoke: hasSpoken(ctx, ws, socket) });
  }
  return out;
}

/** The last time each socket's attachment was written, so most frames skip the (de)serialization. */
const written = new WeakMap<WebSocket, number>();

/** Records a frame as a sign of life, writing the attachment only once the stored time is `granularity` old. */
export function markHeard(ws: WebSocket, now: number, granularity: number): void {
  const known = written.get(ws);
  if (known !== undefined && now - known < granularity) return;
  const socket = info(ws);
  if (!socket || socket.goneAt !== undefined) return;
  const stored = socket.heardAt ?? socket.connectedAt;
  const fresh = now - stored < granularity;
  if (fresh && socket.spoke) {
    written.set(ws, stored);
    return;
  }
  attach(ws, { ...socket, spoke: true, ...(fresh ? {} : { heardAt: now }) });
  written.set(ws, fresh ? stored : now);
}

/**
 * Marks a socket dropped by the server and closes it; it stops counting at once.
 * `waitToSpeak`: one that has not sent a frame yet closes at its first (see endSocket).
 */
export function dropSocket(socket: LiveSocket, now: number, code: number, reason: string, waitToSpeak = false): void {
  attach(socket.ws, { ...socket.info, goneAt: now });
  endSocket(socket.ws, socket.spoke || !waitToSpeak, code, reason);
}

/** Sockets heard from within the timeout: the ones a sweep at `now` would keep. */
export function freshSockets(live: LiveSocket[], now: number, timeout: number): LiveSocket[] {
  return live.filter((s) => s.heard + timeout > now);
}

/**
 * Online while any socket was heard from within the timeout; lastSeen is the
 * latest sign of life (durable once the last socket went). A silent socket not
 * swept yet (nobody watches, so the sweep is lazy) already counts as gone.
 */
export function currentPresence(
  live: LiveSocket[],
  storedLastSeen: number | null,
  now: number,
  timeout: number,
): Presence {
  const heard = Math.max(storedLastSeen ?? 0, ...live.map((s) => s.heard));
  const online = freshSockets(live, now, timeout).length > 0;
  return { online, lastSeen: online || live.length > 0 ? heard : storedLastSeen };
}

/** WhatsApp's rule: the owner always sees itself; others per the owner's setting; hidden hides online too. */
export function visibleTo(
  viewer: string,
  owner: string,
  visibility: LastSeenVisibility,
  isContact: (userId: string) => boolean,
): boolean {
  if (viewer === owner || visibility === "everyone") return true;
  return visibility === "contacts" && isContact(viewer);
}
