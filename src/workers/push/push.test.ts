// POST/DELETE /api/me/push (issue 18, part 4): a browser's push subscription
// stored in the user's object; a bad endpoint or bad keys answered 400
// invalid_field with nothing stored; and the Web Push library
// (@block65/webcrypto-web-push) runs in the Workers runtime.

import { runInDurableObject } from "cloudflare:test";
import { buildPushPayload } from "@block65/webcrypto-web-push";
import { describe, expect, it } from "vitest";
import { errorCode } from "../../test/groups";
import { api, register, userStub } from "../../test/helpers";

function b64url(bytes: ArrayBuffer | Uint8Array): string {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return btoa(String.fromCharCode(...u8))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

async function browserKeys() {
  const pair = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, [
    "deriveBits",
  ])) as CryptoKeyPair;
  const raw = await crypto.subtle.exportKey("raw", pair.publicKey);
  return { p256dh: b64url(raw as ArrayBuffer), auth: b64url(crypto.getRandomValues(new Uint8Array(16))) };
}

function subscriptions(userId: string): Promise<number> {
  return runInDurableObject(
    userStub(userId),
    (_o, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM push_subscriptions").one().n,
  );
}

describe("push subscriptions", () => {
  it("stores one, once, and forgets it", async () => {
    const alice = await register();
    const keys = await browserKeys();
    const endpoint = "https://push.example.com/send/abc123";
    const key = await api("/api/me/push", { token: alice.token });
    expect(await key.json()).toEqual({ publicKey: expect.toSatisfy((v) => v === null || typeof v === "string") });
    for (let i = 0; i < 2; i++) {
      const res = await api("/api/me/push", {
        method: "POST",
        token: alice.token,
        body: { endpoint, expirationTime: null, keys },
      });
      expect(res.status).toBe(201);
      expect(await res.json()).toEqual({ endpoint });
    }
    expect(await subscriptions(alice.user.id)).toBe(1);
    const gone = await api("/api/me/push", { method: "DELETE", token: alice.token, body: { endpoint } });
    expect(gone.status).toBe(204);
    expect(await subscriptions(alice.user.id)).toBe(0);
    // A device logged out gets no more pushes: its subscriptions go with its session.
    await api("/api/me/push", { method: "POST", token: alice.token, body: { endpoint, keys } });
    expect(await subscriptions(alice.user.id)).toBe(1);
    expect((await api("/api/auth/logout", { method: "POST", token: alice.token })).status).toBe(204);
    expect(await subscriptions(alice.user.id)).toBe(0);
  });

  it("refuses a bad endpoint or bad keys with invalid_field and stores nothing", async () => {
    const alice = await register();
    const keys = await browserKeys();
    const good = "https://push.example.com/send/abc123";
    const notOnCurve = b64url(new Uint8Array([4, ...new Uint8Array(64).fill(1)]));
    const bad: unknown[] = [
      { endpoint: "http://push.example.com/send/1", keys },
      { endpoint: "not a url", keys },
      { endpoint: "ftp://push.example.com/x", keys },
      { endpoint: "https://user:pw@push.example.com/x", keys },
      { endpoint: `https://push.example.com/${"x".repeat(1100)}`, keys },
      { endpoint: good },
      { endpoint: good, keys: { auth: keys.auth } },
      { endpoint: good, keys: { ...keys, p256dh: "AAAA" } },
      { endpoint: good, keys: { ...keys, p256dh: "not base64!" } },
      { endpoint: good, keys: { ...keys, p256dh: notOnCurve } },
      { endpoint: good, keys: { ...keys, auth: b64url(new Uint8Array(15)) } },
      { endpoint: good, keys: { ...keys, extra: "x" } },
      { endpoint: good, keys, expirationTime: "soon" },
      { endpoint: good, keys, other: 1 },
      { endpoint: 42, keys },
    ];
    for (const body of bad) {
      const res = await api("/api/me/push", { method: "POST", token: alice.token, body });
      expect(res.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect(await errorCode(res)).toBe("invalid_field");
    }
    const notObject = await api("/api/me/push", { method: "POST", token: alice.token, body: [] });
    expect(await errorCode(notObject)).toBe("invalid_body");
    const noToken = await api("/api/me/push", { method: "POST", body: { endpoint: good, keys } });
    expect(noToken.status).toBe(401);
    expect(await subscriptions(alice.user.id)).toBe(0);
  });

  it("the library encrypts and signs in the Workers runtime", async () => {
    const vapidPair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
    ])) as CryptoKeyPair;
    const publicKey = b64url((await crypto.subtle.exportKey("raw", vapidPair.publicKey)) as ArrayBuffer);
    const privateKey = ((await crypto.subtle.exportKey("jwk", vapidPair.privateKey)) as JsonWebKey).d ?? "";
    const keys = await browserKeys();
    const payload = await buildPushPayload(
      { data: { text: "hello" }, options: { ttl: 60 } },
      { endpoint: "https://push.example.com/send/1", expirationTime: null, keys },
      { subject: "mailto:test@example.com", publicKey, privateKey },
    );
    expect(payload.headers["content-encoding"]).toBe("aes128gcm");
    expect(payload.headers.authorization).toMatch(/^vapid t=.+, k=/);
    expect(payload.body.byteLength).toBeGreaterThan(86);
  });
});
