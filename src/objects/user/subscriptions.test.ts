// Presence subscriptions: the answer at once, pushes at every change to the
// subscribing device only, bad input, expiry and renewal, and privacy in
// answers and pushes alike.

import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { randomId } from "../../shared/ids";
import { PRESENCE_SUBSCRIPTION_TTL_MS } from "../../shared/limits";
import type { AuthAnswer } from "../../shared/protocol";
import { userDb } from "../../shared/shards";
import { api, connect, register, type TestSocket, userStub } from "../../test/helpers";
import { ageSockets, alarmOf, eventually, presenceOf, sqlIn } from "../../test/presence-helpers";

async function closeAll(...sockets: TestSocket[]): Promise<void> {
  for (const socket of sockets) socket.close();
  await Promise.all(sockets.map((socket) => socket.waitClosed()));
}

async function settle(user: AuthAnswer): Promise<void> {
  await eventually(async () => (await alarmOf(user.user.id)) === null, "no alarm once offline");
}

describe("subscribe", () => {
  it("answers at once, then pushes every change to the subscribing device only", async () => {
    const alice = await register();
    const watcher = await register();
    const subscribing = await connect(watcher.token);
    const other = await connect(watcher.token);
    subscribing.send({ type: "subscribe", users: [alice.user.id] });
    expect(await subscribing.next("presence")).toEqual({
      type: "presence",
      user: alice.user.id,
      online: false,
      lastSeen: null,
    });

    const device = await connect(alice.token);
    const online = await subscribing.next("presence", (f) => f.online);
    expect(online.lastSeen).toEqual(expect.any(Number));
    const closedAt = Date.now();
    device.close();
    const offline = await subscribing.next("presence", (f) => !f.online && f.lastSeen !== null);
    expect(offline.lastSeen).toBeGreaterThanOrEqual(closedAt - 1000);
    expect(subscribing.of("presence")).toHaveLength(3);
    // The watcher's other device did not subscribe.
    other.send({ type: "sync", after: 0 });
    await other.next("synced");
    expect(other.of("presence")).toHaveLength(0);

    await closeAll(subscribing, other);
    await settle(watcher);
    await settle(alice);
  });

  it("answers a subscription to oneself and to several users, once per user", async () => {
    const alice = await register();
    const bob = await register();
    const socket = await connect(alice.token);
    socket.send({ type: "subscribe", users: [alice.user.id, bob.user.id, bob.user.id] });
    await eventually(async () => socket.of("presence").length === 2, "two answers");
    expect(socket.of("presence").find((f) => f.user === alice.user.id)?.online).toBe(true);
    expect(socket.of("presence").find((f) => f.user === bob.user.id)?.online).toBe(false);
    await closeAll(socket);
    await settle(alice);
  });

  it.each([
    ["an unknown user", (known: string) => [known, randomId()], "unknown_user"],
    [
      "more than 500 users",
      (known: string) => [known, ...Array.from({ length: 500 }, () => randomId())],
      "invalid_field",
    ],
    ["a malformed id", (known: string) => [known, "not-an-id"], "invalid_field"],
  ])("refuses %s with an error frame and changes nothing", async (_, users, code) => {
    const alice = await register();
    const watcher = await register();
    const socket = await connect(watcher.token);
    socket.send({ type: "subscribe", users: users(alice.user.id) });
    expect((await socket.next("error")).code).toBe(code);
    expect(socket.closed).toBeNull();
    expect(socket.of("presence")).toHaveLength(0);
    expect((await userStub(watcher.user.id).presenceStats()).watching).toBe(0);
    expect((await userStub(alice.user.id).presenceStats()).watchers).toBe(0);
    await closeAll(socket);
    await settle(watcher);
  });

  it("refuses to let one device watch more than 500 users in all, and keeps what it had", async () => {
    const alice = await register();
    const watcher = await register();
    const socket = await connect(watcher.token);
    socket.send({ type: "subscribe", users: [alice.user.id] });
    await socket.next("presence");
    socket.send({ type: "subscribe", users: Array.from({ length: 500 }, () => randomId()) });
    expect((await socket.next("error")).code).toBe("invalid_field");
    expect((await userStub(watcher.user.id).presenceStats()).watching).toBe(1);
    // Subscribing again to a user already watched adds nothing and is answered again.
    socket.send({ type: "subscribe", users: [alice.user.id] });
    await eventually(async () => socket.of("presence").length === 2, "second answer");
    expect((await userStub(watcher.user.id).presenceStats()).watching).toBe(1);
    await closeAll(socket);
    await settle(watcher);
  });

  it("keeps subscriptions through hibernation of both objects", async () => {
    const alice = await register();
    const watcher = await register();
    const socket = await connect(watcher.token);
    socket.send({ type: "subscribe", users: [alice.user.id] });
    await socket.next("presence");
    await evictDurableObject(userStub(watcher.user.id));
    await evictDurableObject(userStub(alice.user.id)).catch(() => undefined); // may not be running
    const device = await connect(alice.token);
    expect((await socket.next("presence", (f) => f.online)).user).toBe(alice.user.id);
    await closeAll(device, socket);
    await settle(alice);
    await settle(watcher);
  });

  it("stops pushing to a watcher whose subscribing device left", async () => {
    const alice = await register();
    const watcher = await register();
    const socket = await connect(watcher.token);
    socket.send({ type: "subscribe", users: [alice.user.id] });
    await socket.next("presence");
    expect((await userStub(alice.user.id).presenceStats()).watchers).toBe(1);
    await closeAll(socket);
    await eventually(async () => (await userStub(watcher.user.id).presenceStats()).watching === 0, "rows dropped");

    // At the next change the watcher's object declines, and the watched side forgets it.
    const device = await connect(alice.token);
    await eventually(async () => (await userStub(alice.user.id).presenceStats()).watchers === 0, "watcher dropped");
    await closeAll(device);
    await settle(alice);
    await settle(watcher);
  });
});

describe("expiry and renewal", () => {
  it("ignores an expired subscription and prunes it", async () => {
    const alice = await register();
    const watcher = await register();
    const socket = await connect(watcher.token);
    socket.send({ type: "subscribe", users: [alice.user.id] });
    await socket.next("presence");
    // Time passes on the watched side: the subscription is past its expiry.
    await sqlIn(alice.user.id, "UPDATE watchers SET expires_at = ?", Date.now() - 1);

    const device = await connect(alice.token);
    expect((await userStub(alice.user.id).presenceStats()).watchers).toBe(0);
    await closeAll(device);
    await settle(alice);
    expect(socket.of("presence")).toHaveLength(1);
    await closeAll(socket);
    await settle(watcher);
  });

  it("is renewed by the sweep while the subscribing device lives", async () => {
    const alice = await register();
    const watcher = await register();
    const socket = await connect(watcher.token);
    socket.send({ type: "subscribe", users: [alice.user.id] });
    await socket.next("presence");
    const soon = Date.now() + 1000;
    await sqlIn(alice.user.id, "UPDATE watchers SET expires_at = ?", soon);
    await sqlIn(watcher.user.id, "UPDATE watching SET expires_at = ?", soon);
    await ageSockets(watcher.user.id, 30_000); // the sweep is due (nobody watches the watcher: ten timeouts)

    socket.send("ping"); // alive, so the sweep keeps the socket
    await eventually(async () => socket.frames.includes("pong"), "pong");
    expect(await runDurableObjectAlarm(userStub(watcher.user.id))).toBe(true);
    const renewed = await eventually(async () => {
      const [row] = await sqlIn<{ expires_at: number }>(alice.user.id, "SELECT expires_at FROM watchers");
      return row && row.expires_at > soon ? row.expires_at : null;
    }, "renewal");
    expect(renewed).toBeGreaterThan(Date.now() + PRESENCE_SUBSCRIPTION_TTL_MS / 2);
    expect(socket.of("presence")).toHaveLength(1); // no news, no frame
    await closeAll(socket);
    await settle(watcher);
  });

  it("corrects a lost push at the renewal", async () => {
    const alice = await register();
    const watcher = await register();
    const socket = await connect(watcher.token);
    socket.send({ type: "subscribe", users: [alice.user.id] });
    expect((await socket.next("presence")).online).toBe(false);
    // As if alice had come online and the push of her going offline again had been lost.
    await sqlIn(watcher.user.id, "UPDATE watching SET online = 1, last_seen = NULL, expires_at = ?", Date.now() + 1000);
    await ageSockets(watcher.user.id, 30_000); // the sweep is due
    socket.send("ping");
    await eventually(async () => socket.frames.includes("pong"), "pong");
    expect(await runDurableObjectAlarm(userStub(watcher.user.id))).toBe(true);
    expect(await socket.next("presence", (f) => f !== socket.of("presence")[0])).toMatchObject({ online: false });
    await closeAll(socket);
    await settle(watcher);
  });
});

describe("privacy", () => {
  async function setVisibility(user: AuthAnswer, value: string): Promise<void> {
    const res = await api("/api/me", { method: "PATCH", token: user.token, body: { lastSeenVisibility: value } });
    expect(res.status).toBe(200);
  }

  it("applies everyone / contacts / nobody to answers and pushes alike", async () => {
    const alice = await register();
    const contact = await register();
    const stranger = await register();
    // A one-to-one message makes them contacts.
    const aliceDevice = await connect(alice.token);
    aliceDevice.send({ type: "send", clientId: "c1", chat: `u:${contact.user.id}`, text: "hi" });
    await aliceDevice.next("sent");

    const contactSocket = await connect(contact.token);
    const strangerSocket = await connect(stranger.token);
    contactSocket.send({ type: "subscribe", users: [alice.user.id] });
    strangerSocket.send({ type: "subscribe", users: [alice.user.id] });
    expect((await contactSocket.next("presence")).online).toBe(true);
    expect((await strangerSocket.next("presence")).online).toBe(true);

    await setVisibility(alice, "contacts");
    expect(await strangerSocket.next("presence", (f) => !f.online)).toMatchObject({ online: false, lastSeen: null });
    expect((await presenceOf(alice.user.id, stranger.token)).lastSeen).toBeNull();
    expect((await presenceOf(alice.user.id, contact.token)).online).toBe(true);
    expect(contactSocket.of("presence")).toHaveLength(1); // nothing changed for the contact

    await setVisibility(alice, "nobody");
    expect(await contactSocket.next("presence", (f) => !f.online)).toMatchObject({ online: false, lastSeen: null });
    expect(await presenceOf(alice.user.id, contact.token)).toEqual({ online: false, lastSeen: null });
    expect((await presenceOf(alice.user.id, alice.token)).online).toBe(true); // one always sees oneself

    // Hidden going offline is no news to those it is hidden from.
    await closeAll(aliceDevice);
    await settle(alice);
    expect(contactSocket.of("presence")).toHaveLength(2);
    expect(strangerSocket.of("presence")).toHaveLength(2);

    await setVisibility(alice, "everyone");
    const shown = await strangerSocket.next("presence", (f) => !f.online && f.lastSeen !== null);
    expect(shown.online).toBe(false);
    expect(await presenceOf(alice.user.id, contact.token)).toEqual({ online: false, lastSeen: shown.lastSeen });
    // Nothing came in between: initial, hidden, shown.
    expect(strangerSocket.of("presence")).toHaveLength(3);

    await closeAll(contactSocket, strangerSocket);
    await settle(contact);
    await settle(stranger);
  });

  it("reads the setting from D1 on each wake", async () => {
    const alice = await register();
    const bob = await register();
    const setInD1 = (value: string) =>
      userDb(env, alice.user.id)
        .prepare("UPDATE users SET last_seen_visibility = ? WHERE id = ?")
        .bind(value, alice.user.id)
        .run();
    const socket = await connect(alice.token);
    // Changed behind the object's back (as if the push from PATCH /api/me had been lost).
    await setInD1("nobody");
    expect(await presenceOf(alice.user.id, bob.token)).toEqual({ online: false, lastSeen: null });
    await setInD1("everyone");
    // The object keeps what it read until it wakes again; its sockets hibernate meanwhile.
    await evictDurableObject(userStub(alice.user.id));
    expect((await presenceOf(alice.user.id, bob.token)).online).toBe(true);
    await closeAll(socket);
    await settle(alice);
  });
});

describe("GET /api/users/:id/presence", () => {
  it("answers 404 unknown_user for an unknown or malformed id and 401 without a token", async () => {
    const alice = await register();
    for (const id of [randomId(), "nope"]) {
      const res = await api(`/api/users/${id}/presence`, { token: alice.token });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unknown_user");
    }
    expect((await api(`/api/users/${alice.user.id}/presence`)).status).toBe(401);
  });
});
