// Presence over real sockets against `wrangler dev`, on a server of its own
// with the silent-device timeout shortened to 3 s (the shared one keeps 60 s,
// so that loaded suites are not swept): a close is seen by a watcher at once,
// a device that stops pinging is dropped after the timeout, one that pings is not.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Presence } from "../../src/shared/protocol";
import { http, RawSocket, registerUser } from "../support/raw-socket";
import { type RunningServer, startServer } from "../support/server";

const TIMEOUT_MS = 3000;
let server: RunningServer | undefined;
let base = "";

beforeAll(async () => {
  server = await startServer({ vars: { SOCKET_TIMEOUT_MS: String(TIMEOUT_MS) } });
  base = server.url;
});
afterAll(async () => server?.stop());

/** Pings like a client should, so that only the device under test ever falls silent. */
function keepAlive(socket: RawSocket): void {
  const timer = setInterval(() => (socket.closed ? clearInterval(timer) : socket.send("ping")), TIMEOUT_MS / 4);
}

/** A new user's device watching `userId`, past the first answer. */
async function watch(userId: string): Promise<RawSocket> {
  const watcher = await registerUser(base, "watcher");
  const socket = await RawSocket.open(base, watcher.token);
  keepAlive(socket);
  socket.send({ type: "subscribe", users: [userId] });
  await socket.next("presence", (f) => f.user === userId);
  return socket;
}

describe("presence end to end", () => {
  it("shows a watcher online, then offline with lastSeen within a second of the close", async () => {
    const alice = await registerUser(base, "alice");
    const watcher = await watch(alice.user.id);
    const device = await RawSocket.open(base, alice.token);
    await watcher.next("presence", (f) => f.online);

    const closedAt = Date.now();
    device.close();
    const offline = await watcher.next("presence", (f) => !f.online && f.lastSeen !== null);
    const seenAfter = Date.now() - closedAt;
    expect(offline.lastSeen).not.toBeNull();
    expect(Math.abs((offline.lastSeen ?? 0) - closedAt)).toBeLessThanOrEqual(1000);
    console.log(`presence: a close reached the watcher in ${seenAfter} ms`);
    const answer = await http<Presence>(base, `/api/users/${alice.user.id}/presence`, { token: alice.token });
    expect(answer).toEqual({ status: 200, body: { online: false, lastSeen: offline.lastSeen } });
    watcher.close();
  });

  it("drops a device that stops pinging after the timeout, with lastSeen when it was last heard", async () => {
    const alice = await registerUser(base, "alice");
    const watcher = await watch(alice.user.id);
    const openedAt = Date.now();
    const device = await RawSocket.open(base, alice.token);
    await watcher.next("presence", (f) => f.online);

    const offline = await watcher.next("presence", (f) => !f.online && f.lastSeen !== null, 4 * TIMEOUT_MS);
    const after = Date.now() - openedAt;
    console.log(`presence: a silent device was dropped ${after} ms after it connected (timeout ${TIMEOUT_MS} ms)`);
    expect(after).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(Math.abs((offline.lastSeen ?? 0) - openedAt)).toBeLessThanOrEqual(1000);
    // The server's close frame arrives at once (the socket leaves OPEN); under `wrangler dev` the
    // close event itself waits until the connection is torn down, about 10 s later.
    await device.until((s) => s.ws.readyState !== WebSocket.OPEN, 2000, "the close frame");
    const closed = await device.until((s) => s.closed, 20_000, "the close event");
    expect(closed?.code).toBe(4002);
    watcher.close();
  });

  it("keeps a device that pings online past the timeout", async () => {
    const alice = await registerUser(base, "alice");
    const watcher = await watch(alice.user.id);
    const device = await RawSocket.open(base, alice.token);
    await watcher.next("presence", (f) => f.online);

    const until = Date.now() + 2 * TIMEOUT_MS;
    while (Date.now() < until) {
      device.send("ping");
      await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS / 4));
    }
    expect(device.closed).toBeNull();
    expect(device.frames.filter((f) => f === "pong").length).toBeGreaterThan(4);
    expect(watcher.of("presence").filter((f) => !f.online && f.lastSeen !== null)).toHaveLength(0);
    device.close();
    await watcher.next("presence", (f) => !f.online && f.lastSeen !== null);
    watcher.close();
  });

  it("relays typing to the other user's device", async () => {
    const alice = await registerUser(base, "alice");
    const bob = await registerUser(base, "bob");
    const a = await RawSocket.open(base, alice.token);
    const b = await RawSocket.open(base, bob.token);
    keepAlive(b);
    a.send({ type: "typing", chat: `u:${bob.user.id}` });
    expect(await b.next("typing")).toEqual({ type: "typing", chat: `u:${alice.user.id}`, from: alice.user.id });
    a.close();
    b.close();
  });
});
