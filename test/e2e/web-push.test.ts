// Web Push for closed tabs (issue 18, part 4), end to end: a server with
// VAPID keys, a push receiver on loopback standing in for the push service,
// and a "browser" (its keys only) that decrypts what arrives (RFC 8291) and
// checks the VAPID signature. A push goes when a message arrives and no
// device of the user is connected, not for a muted chat, and an endpoint the
// push service calls gone is forgotten.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserKeys, decryptPush, PushReceiver, vapidKeyPair, verifyVapid } from "../support/push-receiver";
import { http, RawSocket, registerUser } from "../support/raw-socket";
import { type RunningServer, startServer } from "../support/server";

const VAPID = vapidKeyPair();
let server: RunningServer | undefined;
let receiver: PushReceiver | undefined;
let base = "";

beforeAll(async () => {
  receiver = await PushReceiver.start();
  server = await startServer({
    vars: {
      VAPID_PUBLIC_KEY: VAPID.publicKey,
      VAPID_PRIVATE_KEY: VAPID.privateKey,
      VAPID_SUBJECT: "mailto:test@example.com",
    },
  });
  base = server.url;
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await receiver?.stop();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(check: () => T | undefined, ms = 10_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await pause(50)) {
    const value = check();
    if (value !== undefined) return value;
  }
  throw new Error("timed out");
}

describe("Web Push", { timeout: 60_000 }, () => {
  it("pushes an encrypted, signed message to a user with no device connected; not when one is, nor for a muted chat", async () => {
    const push = receiver as PushReceiver;
    const ann = await registerUser(base, "wpann");
    const ben = await registerUser(base, "wpben");
    const keys = browserKeys();
    const endpoint = `${push.url}/push/${ben.user.id}`;
    const goneEndpoint = `${push.url}/gone/${ben.user.id}`;
    push.gone.add(`/gone/${ben.user.id}`);

    const key = await http<{ publicKey: string }>(base, "/api/me/push", { token: ben.token });
    expect(key.body.publicKey).toBe(VAPID.publicKey);
    for (const url of [endpoint, goneEndpoint]) {
      const sub = await http(base, "/api/me/push", {
        method: "POST",
        token: ben.token,
        body: { endpoint: url, expirationTime: null, keys: keys.json },
      });
      expect(sub.status).toBe(201);
    }

    const a = await RawSocket.open(base, ann.token);
    await a.sync();
    const chat = `u:${ben.user.id}`;
    a.send({ type: "send", clientId: "p1", chat, text: "are you there? 🙂" });
    await a.next("sent");

    const got = await until(() => push.to(`/push/${ben.user.id}`)[0]);
    expect(got.headers["content-encoding"]).toBe("aes128gcm");
    expect(Number(got.headers.ttl)).toBeGreaterThan(0);
    const claims = verifyVapid(got.headers.authorization, VAPID.publicKey);
    expect(claims.sub).toBe("mailto:test@example.com");
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
    const note = JSON.parse(decryptPush(got.body, keys));
    expect(note).toEqual({
      chat: `u:${ann.user.id}`,
      id: expect.any(String),
      from: ann.user.id,
      name: ann.user.displayName,
      text: "are you there? 🙂",
      ts: expect.any(Number),
    });
    // The endpoint that answered 410 is forgotten: the next push does not go there.
    await until(() => push.to(`/gone/${ben.user.id}`)[0]);

    // Ben's device is connected: no push.
    const b = await RawSocket.open(base, ben.token);
    await b.sync();
    a.send({ type: "send", clientId: "p2", chat, text: "now you are here" });
    await b.next("message");
    await pause(1500);
    expect(push.to(`/push/${ben.user.id}`)).toHaveLength(1);
    b.close();
    await pause(500);

    // Muted: no push; unmuted: pushes again, and only to the endpoint still subscribed.
    const muted = await http(base, `/api/chats/u:${ann.user.id}/mute`, {
      method: "PUT",
      token: ben.token,
      body: { until: "always" },
    });
    expect(muted.status).toBe(200);
    a.send({ type: "send", clientId: "p3", chat, text: "quiet please" });
    await a.next("sent", (f) => f.clientId === "p3");
    await pause(1500);
    expect(push.to(`/push/${ben.user.id}`)).toHaveLength(1);
    await http(base, `/api/chats/u:${ann.user.id}/mute`, { method: "PUT", token: ben.token, body: { until: null } });
    a.send({ type: "send", clientId: "p4", chat, text: "loud again" });
    const second = await until(() => push.to(`/push/${ben.user.id}`)[1]);
    expect(JSON.parse(decryptPush(second.body, keys)).text).toBe("loud again");
    expect(push.to(`/gone/${ben.user.id}`)).toHaveLength(1);
    a.close();
  });

  it("pushes another's reaction to the user's own message while no device is connected; not a removal, nor a reaction to another's message", async () => {
    const push = receiver as PushReceiver;
    const cat = await registerUser(base, "wpcat");
    const dan = await registerUser(base, "wpdan");
    const keys = browserKeys();
    const endpoint = `${push.url}/push/${cat.user.id}`;
    await http(base, "/api/me/push", { method: "POST", token: cat.token, body: { endpoint, keys: keys.json } });

    const c = await RawSocket.open(base, cat.token);
    await c.sync();
    const d = await RawSocket.open(base, dan.token);
    await d.sync();
    c.send({ type: "send", clientId: "own", chat: `u:${dan.user.id}`, text: "lunch at noon?" });
    const own = await c.next("sent");
    d.send({ type: "send", clientId: "theirs", chat: `u:${cat.user.id}`, text: "sure" });
    const theirs = await c.next("message", (f) => f.message.clientId === undefined && f.message.text === "sure");
    // Cat reacts to Dan's message before leaving: that is no news to Cat.
    c.send({ type: "react", clientId: "r0", id: theirs.message.id, emoji: "🙏" });
    await c.next("update", (f) => f.clientId === "r0");
    c.close();
    await pause(500);

    d.send({ type: "react", clientId: "r1", id: own.id, emoji: "👍" });
    await d.next("update", (f) => f.clientId === "r1");
    const got = await until(() => push.to(`/push/${cat.user.id}`)[0]);
    expect(JSON.parse(decryptPush(got.body, keys))).toEqual({
      chat: `u:${dan.user.id}`,
      id: own.id,
      from: dan.user.id,
      name: dan.user.displayName,
      text: 'Reacted 👍 to "lunch at noon?"',
      ts: expect.any(Number),
      reaction: "👍",
    });
    // Taking the reaction back, and reacting to one's own message, push nothing.
    d.send({ type: "react", clientId: "r2", id: own.id, emoji: null });
    await d.next("update", (f) => f.clientId === "r2");
    d.send({ type: "react", clientId: "r3", id: theirs.message.id, emoji: "😂" });
    await d.next("update", (f) => f.clientId === "r3");
    await pause(1500);
    expect(push.to(`/push/${cat.user.id}`)).toHaveLength(1);
    d.close();
  });
});
