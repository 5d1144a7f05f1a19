// The user's devices: one hibernatable WebSocket each. What we need to know
// about a socket lives in its attachment (a small structured-clone value that
// survives hibernation), so nothing has to be rebuilt in memory on wake:
// `ctx.getWebSockets()` hands every socket back, attachment included.

import type { ServerFrame } from "../../shared/protocol";

export interface SocketInfo {
  /** The session (login) this device connected with; also the socket's tag. */
  sid: string;
  /** When the socket was accepted (ms). */
  connectedAt: number;
  /** Names the socket in the `watching` table; given when it first subscribes. */
  id?: string;
  /** When a frame other than the heartbeat last came (ms), kept coarse (see presence.ts). */
  heardAt?: number;
  /** Set when the server closed the socket (sweep, logout): from then on it does not count. */
  goneAt?: number;
  /** Set at the first frame the object handles (see endSocket). */
  spoke?: true;
  /** A close decided before the client had sent anything, done at its first frame (see endSocket). */
  closeWith?: { code: number; reason: string };
  /** The greatest mailbox seq handed out while this socket was open (./seq-hold.ts). */
  seq?: number;
  /** Its last `sync` asked for `replay` frames (`batch: true`): live batches come so too (./live-batches.ts). */
  batch?: true;
}

export function attach(ws: WebSocket, info: SocketInfo): void {
  ws.serializeAttachment(info);
}

export function info(ws: WebSocket): SocketInfo | null {
  return (ws.deserializeAttachment() as SocketInfo | null) ?? null;
}

/** Sends to one socket; a socket that is already closing is skipped quietly. */
export function send(ws: WebSocket, frame: ServerFrame | string): void {
  try {
    ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  } catch {
    // The peer is gone; webSocketClose or the sweep will clean up.
  }
}

/**
 * Sockets whose `sync` is under way (its group part awaits the groups): the
 * mailbox entries stored meanwhile are in the replay that ends it, so they
 * are not sent to it live as well (a device would get them twice).
 */
const syncing = new WeakSet<WebSocket>();

/** Whether a sync of `ws` is under way: live mailbox entries skip it. */
export function isSyncing(ws: WebSocket): boolean {
  return syncing.has(ws);
}

/** Runs a sync of `ws`: live mailbox entries skip it until `run` is done. */
export async function whileSyncing<T>(ws: WebSocket, run: () => Promise<T>): Promise<T> {
  syncing.add(ws);
  try {
    return await run();
  } finally {
    syncing.delete(ws);
  }
}

const MAILBOX_ENTRIES = new Set<ServerFrame["type"]>(["message", "update", "removed", "receipt"]);

/** Sends one frame to every device of the user. */
export function broadcast(sockets: WebSocket[], frame: ServerFrame): void {
  if (sockets.length === 0) return;
  const text = JSON.stringify(frame);
  const entry = MAILBOX_ENTRIES.has(frame.type);
  for (const ws of sockets) if (!(entry && syncing.has(ws))) send(ws, text);
}

/** Whether the client has sent anything yet: a frame the object handled, or a heartbeat the runtime answered. */
export function hasSpoken(ctx: DurableObjectState, ws: WebSocket, socket = info(ws)): boolean {
  return socket?.spoke === true || ctx.getWebSocketAutoResponseTimestamp(ws) !== null;
}

/** Sockets read in this isolate and found with no close pending; endSocket takes a socket out. */
const settled = new WeakSet<WebSocket>();

/**
 * Closes a socket from the server's side. workerd never closes the TCP
 * connection of a hibernatable socket that the server closed before the client
 * had sent any frame: the close frames cross, and the client (which waits for
 * the TCP close, RFC 6455 §7.1.1) stays CLOSING (docs/architecture.md,
 * "Closing sockets"). So when a session ends, a socket that has not spoken
 * keeps its close for its first frame (closeIfPending); the notice frame sent
 * before tells it why at once. (A device closed for silence or for the socket
 * limit is closed at once: it is presumed gone.)
 */
export function endSocket(ws: WebSocket, spoken: boolean, code: number, reason: string): void {
  if (!spoken) {
    const socket = info(ws);
    if (socket && !socket.closeWith) attach(ws, { ...socket, closeWith: { code, reason } });
    settled.delete(ws);
    return;
  }
  try {
    ws.close(code, reason);
  } catch {
    // already closing
  }
}

/** At a frame: does the close endSocket kept for it now (and the frame is ignored)? */
export function closeIfPending(ws: WebSocket): boolean {
  if (settled.has(ws)) return false;
  const pending = info(ws)?.closeWith;
  if (!pending) {
    settled.add(ws);
    return false;
  }
  try {
    ws.close(pending.code, pending.reason);
  } catch {
    // already closing
  }
  return true;
}

/**
 * Keeps at most `max` sockets: the oldest beyond it are told why and closed
 * (a device the user no longer uses, or a tab whose close never reached us).
 */
export function closeOldest(sockets: WebSocket[], max: number): void {
  if (sockets.length <= max) return;
  const byAge = sockets.map((ws) => ({ ws, at: info(ws)?.connectedAt ?? 0 })).sort((a, b) => a.at - b.at);
  for (const { ws } of byAge.slice(0, sockets.length - max)) {
    send(ws, {
      type: "error",
      code: "too_many_sockets",
      message: `at most ${max} devices at once; this one was closed`,
    });
    try {
      ws.close(4008, "too many devices");
    } catch {
      // already closing
    }
  }
}
