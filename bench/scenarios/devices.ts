// Connecting many users' devices at once, and closing them so that the next
// scenario starts from where they left off (their sync cursor), without
// replaying what earlier scenarios put in their mailboxes.

import { type Device, openDevice } from "../client";
import { inParallel } from "../pool";
import type { Progress } from "../progress";
import type { BenchUser } from "../users";

const cursors = new WeakMap<BenchUser, number>();

export async function connectAll(
  baseUrl: string,
  users: BenchUser[],
  progress: Progress,
  label: string,
  options: { concurrency?: number; heartbeatMs?: number } = {},
): Promise<Device[]> {
  let done = 0;
  return inParallel(users.length, options.concurrency ?? 20, async (i) => {
    const user = users[i] as BenchUser;
    const device = await openDevice({
      baseUrl,
      token: user.token,
      userId: user.id,
      cursor: cursors.get(user) ?? 0,
      ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
    });
    done++;
    progress.update(`${label}: connecting ${done}/${users.length}`);
    return device;
  });
}

export function closeAll(users: BenchUser[], devices: Device[]): void {
  devices.forEach((device, i) => {
    const user = users[i];
    if (user) cursors.set(user, Math.max(cursors.get(user) ?? 0, device.cursor));
    device.close();
  });
}

export function cursorOf(user: BenchUser): number {
  return cursors.get(user) ?? 0;
}

export function setCursor(user: BenchUser, cursor: number): void {
  cursors.set(user, Math.max(cursors.get(user) ?? 0, cursor));
}
