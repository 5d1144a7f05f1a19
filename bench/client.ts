// The benchmark drives the service through the project's client module
// (src/client): `Connection` is a device (socket, heartbeat, sync from its
// cursor, outgoing queue, batched `received` acknowledgements), `Api` the
// HTTP calls. This file only adds what the load code needs on top: creating
// a device without starting it, and waiting until it is live.

import { Api, ApiError, Connection } from "@edge-chat/client";

export { Api, ApiError };

export type Device = Connection;

export interface DeviceOptions {
  baseUrl: string;
  token: string;
  userId: string;
  /** Sync cursor to start from (0: the whole mailbox). */
  cursor?: number;
  heartbeatMs?: number;
}

/** A device not started yet: attach listeners, then start() or live(). */
export function createDevice(options: DeviceOptions): Device {
  return new Connection({
    baseUrl: options.baseUrl,
    token: options.token,
    userId: options.userId,
    cursor: options.cursor ?? 0,
    ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
  });
}

/** How long a device may take to get through (it retries by itself while offline). */
const LIVE_WITHIN_MS = 60_000;

/**
 * Starts a device; resolves once it is live (its first sync is complete).
 * "offline" is a state the client module leaves by itself (it reconnects with
 * backoff), so only "closed" (refused for good) or the deadline rejects,
 * unless `failFast` (the connections ramp: a refused socket counts at once).
 */
export function live(device: Device, failFast = false): Promise<Device> {
  return new Promise((resolve, reject) => {
    let last = "connecting";
    const timer = setTimeout(
      () => fail(`not live within ${LIVE_WITHIN_MS / 1000} s; last state ${last}`),
      LIVE_WITHIN_MS,
    );
    const fail = (why: string) => {
      clearTimeout(timer);
      off();
      device.close();
      reject(new Error(`device could not connect (${why})`));
    };
    const off = device.on("state", ({ state }) => {
      last = state;
      if (state === "live") {
        clearTimeout(timer);
        off();
        resolve(device);
      } else if (state === "closed" || (failFast && state === "offline")) {
        fail(state);
      }
    });
    device.start();
  });
}

export function openDevice(options: DeviceOptions): Promise<Device> {
  return live(createDevice(options));
}
