// Online and lastSeen from sockets, and the sweep, with a controlled clock:
// sockets' signs of life are moved back in time and the alarm is run by hand
// (the workers tests run with SOCKET_TIMEOUT_MS = 2000).

import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, connect, register, userStub } from "../../test/helpers";
import { ageSockets, alarmOf, eventually, presenceOf, sqlIn } from "../../test/presence-helpers";
import { SILENT_CLOSE_CODE } from "./sweep";

/** Past the sweep of a user nobody watches: UNWATCHED_SWEEP_TIMEOUTS (10) timeouts of 2 s. */
const PAST_LAZY_SWEEP = 30_000;

describe("online and lastSeen", () => {
  it("is offline with no lastSeen before any device connected, and online while one is", async () => {
    const alice = await register();
    const bob = await register();
    expect(await presenceOf(alice.user.id, bob.token)).toEqual({ online: false, lastSeen: null });
    expect(await alarmOf(alice.user.id)).toBeNull();

    const before = Date.now();
    const socket = await connect(alice.token);
    const online = await presenceOf(alice.user.id, bob.token);
    expect(online.online).toBe(true);
    expect(online.lastSeen).toBeGreaterThanOrEqual(before - 1000);
    // While a socket exists the sweep is scheduled; nobody watches, so lazily (ten timeouts).
    const alarm = await alarmOf(alice.user.id);
    expect(alarm).not.toBeNull();
    expect(alarm).toBeGreaterThan(Date.now() + 2000);
    expect(alarm).toBeLessThanOrEqual(Date.now() + 20_000);

    socket.close();
    await eventually(async () => !(await presenceOf(alice.user.id, bob.token)).online, "offline");
    expect(await alarmOf(alice.user.id)).toBeNull();
  });

  it("records lastSeen at a close, durably: it survives the object's eviction", async () => {
    const alice = await register();
    const bob = await register();
    const socket = await connect(alice.token);
    const closedAt = Date.now();
    socket.close();
    const offline = await eventually(async () => {
      const p = await presenceOf(alice.user.id, bob.token);
      return p.online ? null : p;
    }, "offline");
    expect(offline.lastSeen).toBeGreaterThanOrEqual(closedAt - 1000);
    expect(offline.lastSeen).toBeLessThanOrEqual(Date.now());

    await evictDurableObject(userStub(alice.user.id));
    expect(await presenceOf(alice.user.id, bob.token)).toEqual(offline);
    // An offline user's object keeps no alarm.
    expect(await alarmOf(alice.user.id)).toBeNull();
    expect(await runDurableObjectAlarm(userStub(alice.user.id))).toBe(false);
  });

  it("stays online while another device remains, and a logout counts as a departure", async () => {
    const alice = await register();
    const bob = await register();
    const first = await connect(alice.token);
    const second = await connect(alice.token);
    await second.speak();
    first.close();
    await first.waitClosed();
    await eventually(async () => (await userStub(alice.user.id).stats()).sockets === 1, "one socket left");
    expect((await presenceOf(alice.user.id, bob.token)).online).toBe(true);

    // Logout closes the session's sockets; the user is offline once it answers.
    const before = Date.now();
    expect((await api("/api/auth/logout", { method: "POST", token: alice.token })).status).toBe(204);
    expect(await second.waitClosed()).toEqual({ code: 4001, reason: "logged out" });
    const offline = await presenceOf(alice.user.id, bob.token);
    expect(offline.online).toBe(false);
    expect(offline.lastSeen).toBeGreaterThanOrEqual(before - 1000);
    expect(await alarmOf(alice.user.id)).toBeNull();
  });
});

describe("the sweep", () => {
  it("drops a silent socket, keeps one that pinged, and keeps sweeping while sockets remain", async () => {
    const alice = await register();
    const bob = await register();
    const pinging = await connect(alice.token);
    const silent = await connect(alice.token);
    await ageSockets(alice.user.id, PAST_LAZY_SWEEP);
    // The heartbeat is answered by the runtime and recorded without waking the object.
    pinging.send("ping");
    await eventually(async () => pinging.frames.includes("pong"), "pong");

    expect(await runDurableObjectAlarm(userStub(alice.user.id))).toBe(true);
    expect((await silent.waitClosed()).code).toBe(SILENT_CLOSE_CODE);
    expect(pinging.closed).toBeNull();
    expect((await presenceOf(alice.user.id, bob.token)).online).toBe(true);
    expect(await alarmOf(alice.user.id)).not.toBeNull();

    pinging.close();
    await eventually(async () => (await alarmOf(alice.user.id)) === null, "no alarm once offline");
  });

  it("counts any frame as a sign of life", async () => {
    const alice = await register();
    const socket = await connect(alice.token);
    await ageSockets(alice.user.id, PAST_LAZY_SWEEP);
    socket.send({ type: "sync", after: 0 });
    await socket.next("synced");
    expect(await runDurableObjectAlarm(userStub(alice.user.id))).toBe(true);
    expect(socket.closed).toBeNull();
    expect((await userStub(alice.user.id).stats()).sockets).toBe(1);

    socket.close();
    await eventually(async () => (await alarmOf(alice.user.id)) === null, "no alarm once offline");
  });

  it("makes the user offline when it drops the last socket, with lastSeen its last sign of life, and no alarm", async () => {
    const alice = await register();
    const bob = await register();
    await connect(alice.token);
    const socket = await connect(alice.token);
    const heard = await ageSockets(alice.user.id, PAST_LAZY_SWEEP);

    expect(await runDurableObjectAlarm(userStub(alice.user.id))).toBe(true);
    expect((await socket.waitClosed()).code).toBe(SILENT_CLOSE_CODE);
    expect(await presenceOf(alice.user.id, bob.token)).toEqual({ online: false, lastSeen: heard.at(-1) });
    expect(await alarmOf(alice.user.id)).toBeNull();
    expect(await runDurableObjectAlarm(userStub(alice.user.id))).toBe(false);
  });
});

describe("the lazy sweep", () => {
  it("answers a silent socket as offline before any sweep, lastSeen its last sign of life", async () => {
    const alice = await register();
    const bob = await register();
    await connect(alice.token);
    const [heard] = await ageSockets(alice.user.id, 5_000);
    expect(await presenceOf(alice.user.id, bob.token)).toEqual({ online: false, lastSeen: heard });
    expect((await userStub(alice.user.id).stats()).sockets).toBe(1); // not swept yet
  });

  it("sweeps at the deadline while someone watches, and the watcher sees the silent device go", async () => {
    const alice = await register();
    const bob = await register();
    await connect(alice.token);
    const watcher = await connect(bob.token);
    watcher.send({ type: "subscribe", users: [alice.user.id] });
    expect((await watcher.next("presence")).online).toBe(true);
    // Watched: the sweep comes back within the timeout (2 s here), not ten.
    expect(await alarmOf(alice.user.id)).toBeLessThanOrEqual(Date.now() + 2000);

    const [heard] = await ageSockets(alice.user.id, 5_000);
    expect(await runDurableObjectAlarm(userStub(alice.user.id))).toBe(true);
    const offline = await watcher.next("presence", (f) => f.online === false);
    expect(offline).toMatchObject({ user: alice.user.id, online: false });
    // Its last sign of life, 5 s ago, not the sweep's time: the socket's and the stored
    // lastSeen are taken in the same connect, a millisecond apart on a loaded machine.
    expect(offline.lastSeen).toBeGreaterThanOrEqual(heard as number);
    expect(offline.lastSeen).toBeLessThan((heard as number) + 1_000);
    expect((await userStub(alice.user.id).stats()).sockets).toBe(0);
  });

  it("writes lastSeen at a sweep only once it is a lazy sweep's age old, not a row per sweep", async () => {
    const alice = await register();
    const bob = await register();
    const device = await connect(alice.token);
    const watcher = await connect(bob.token);
    watcher.send({ type: "subscribe", users: [alice.user.id] });
    await watcher.next("presence");
    const stored = async () => Number((await sqlIn<{ value: string }>(alice.user.id, LAST_SEEN_SQL))[0]?.value);

    await ageSockets(alice.user.id, 5_000); // the watched sweep is due; lastSeen is 5 s old
    device.send("ping");
    await eventually(async () => device.frames.includes("pong"), "pong");
    const before = await stored();
    expect(await runDurableObjectAlarm(userStub(alice.user.id))).toBe(true);
    expect(await stored()).toBe(before);

    await ageSockets(alice.user.id, PAST_LAZY_SWEEP); // now older than a lazy sweep: written
    device.send("ping");
    await eventually(async () => device.frames.filter((f) => f === "pong").length === 2, "second pong");
    expect(await runDurableObjectAlarm(userStub(alice.user.id))).toBe(true);
    expect(await stored()).toBeGreaterThan(Date.now() - 5_000);
  });
});

const LAST_SEEN_SQL = "SELECT value FROM meta WHERE key = 'last_seen'";
