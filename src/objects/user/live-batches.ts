// Live entries in batches, for the devices that asked for them. A group's
// push brings a member several entries at once (2-3 at a busy group's pace,
// up to 200 after a pause). A device whose last `sync` said `batch: true`
// gets them as `replay` frames, as its sync came, instead of a frame each:
// a send and a parse per push rather than per message, the runtime's dearest
// step of a delivery. Other devices get a frame each, as the contract says.
// Whether a device asked lives in its socket's attachment (it outlives
// hibernation) and, once read, in memory.

import type { ServerFrame } from "../../shared/protocol";
import { attach, info, isSyncing, send } from "./sockets";
import { ReplayBatcher } from "./sync";

const asked = new WeakMap<WebSocket, boolean>();

function takesBatches(ws: WebSocket): boolean {
  let known = asked.get(ws);
  if (known === undefined) {
    known = info(ws)?.batch === true;
    asked.set(ws, known);
  }
  return known;
}

/** A `sync` said whether its device takes `replay` frames: kept for what comes live after it. */
export function rememberBatches(ws: WebSocket, batch: boolean): void {
  if (takesBatches(ws) === batch) return;
  const socket = info(ws);
  if (socket) {
    const { batch: _was, ...rest } = socket;
    attach(ws, batch ? { ...rest, batch: true } : rest);
  }
  asked.set(ws, batch);
}

/**
 * Mailbox entries (`message`, `update`, `removed`), in seq order, to every
 * device not syncing (its sync's replay has them): as `replay` frames to
 * those that take them when there are several, else a frame each.
 */
export function broadcastEntries(sockets: WebSocket[], frames: readonly ServerFrame[]): void {
  if (frames.length === 0 || sockets.length === 0) return;
  const each = frames.map((frame) => JSON.stringify(frame));
  let batches: string[] | undefined;
  for (const ws of sockets) {
    if (isSyncing(ws)) continue;
    if (each.length > 1 && takesBatches(ws)) {
      if (!batches) {
        const packed: string[] = [];
        const batcher = new ReplayBatcher((text) => packed.push(text));
        for (const text of each) batcher.addText(text);
        batcher.flush();
        batches = packed;
      }
      for (const text of batches) send(ws, text);
    } else {
      for (const text of each) send(ws, text);
    }
  }
}
