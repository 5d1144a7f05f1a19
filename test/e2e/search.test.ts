// Search in history against `wrangler dev`, with messages sent over real
// sockets: hits with chat and id, misses, nobody else's messages, hostile
// queries, and an index that holds each message once after retries and a crash.

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AuthAnswer, Message } from "../../src/shared/protocol";
import { http, RawSocket, registerUser } from "../support/raw-socket";
import { type RunningServer, startServer } from "../support/server";

const base = inject("baseUrl");

async function search(url: string, token: string, q: string, extra = ""): Promise<Message[]> {
  const res = await http<{ messages: Message[] }>(url, `/api/search?q=${encodeURIComponent(q)}${extra}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.messages;
}

/** Sends texts from one user to another and waits until the recipient's mailbox has them all. */
async function converse(url: string, from: AuthAnswer, to: AuthAnswer, texts: string[]): Promise<string[]> {
  const socket = await RawSocket.open(url, from.token);
  texts.forEach((text, i) => {
    socket.send({ type: "send", clientId: `${Date.now()}-${i}`, chat: `u:${to.user.id}`, text });
  });
  await socket.until((s) => s.of("sent").length === texts.length, 20_000, "sent answers");
  const ids = socket.of("sent").map((f) => f.id);
  socket.close();
  const last = ids.at(-1);
  for (let tries = 0; tries < 100; tries++) {
    const page = await http<{ messages: Message[] }>(url, `/api/chats/u:${from.user.id}/messages?limit=1`, {
      token: to.token,
    });
    if (page.body.messages[0]?.id === last) return ids;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("messages did not arrive");
}

describe("search end to end", () => {
  it("finds hits with chat and id, newest first, in the caller's mailbox only", async () => {
    const [alice, bob, carol] = await Promise.all([
      registerUser(base, "alice"),
      registerUser(base, "bob"),
      registerUser(base, "carol"),
    ]);
    const fromAlice = await converse(base, alice, bob, ["Dinner at eight?", "bring the wine", "dinner is ready"]);
    const fromCarol = await converse(base, carol, bob, ["dinner plans for Friday"]);

    const hits = await search(base, bob.token, "dinner");
    expect(hits.map((m) => [m.id, m.chat])).toEqual([
      [fromCarol[0], `u:${carol.user.id}`],
      [fromAlice[2], `u:${alice.user.id}`],
      [fromAlice[0], `u:${alice.user.id}`],
    ]);
    expect((await search(base, bob.token, "din fri")).map((m) => m.id)).toEqual([fromCarol[0]]);
    expect(await search(base, bob.token, "lunch")).toEqual([]);
    // Alice sent and so holds her own messages, never Carol's.
    expect((await search(base, alice.token, "dinner")).map((m) => m.id)).toEqual([fromAlice[2], fromAlice[0]]);
    const page = await search(base, bob.token, "dinner", `&limit=2&before=${fromAlice[2]}`);
    expect(page.map((m) => m.id)).toEqual([fromAlice[0]]);
  });

  it("answers hostile queries with a list or a 400 with a code, never a 500", async () => {
    const [alice, bob] = await Promise.all([registerUser(base, "alice"), registerUser(base, "bob")]);
    await converse(base, alice, bob, ['she said "AND" (twice) *really*']);
    for (const q of ['"', "AND OR (", "*", "NEAR(", "text:and", "^she", '"really"*', "a".repeat(1000)]) {
      const res = await http<{ messages: Message[] }>(base, `/api/search?q=${encodeURIComponent(q)}`, {
        token: bob.token,
      });
      expect(res.status, q).toBe(200);
      expect(Array.isArray(res.body.messages)).toBe(true);
    }
    expect(await search(base, bob.token, '"AND" (twice)')).toHaveLength(1);
    for (const query of [`q=${"a".repeat(10_000)}`, "q=x&limit=500", "q=x&before=bad"]) {
      const res = await http(base, `/api/search?${query}`, { token: bob.token });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: expect.stringMatching(/^(query_too_long|invalid_field)$/) } });
    }
  });

  it("indexes a retried send once", async () => {
    const [alice, bob] = await Promise.all([registerUser(base, "alice"), registerUser(base, "bob")]);
    const socket = await RawSocket.open(base, alice.token);
    const frame = { type: "send", clientId: "same-1", chat: `u:${bob.user.id}`, text: "kumquat season" };
    socket.send(frame);
    socket.send(frame);
    await socket.until((s) => s.of("sent").length === 2, 10_000, "two sent answers");
    socket.close();
    expect(await search(base, alice.token, "kumquat")).toHaveLength(1);
  });
});

describe("search after a crash", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  // Its own server, killed and started again: a restart alone can take a while on a busy machine.
  it("holds every message once: deliveries retried after a kill are not indexed twice", {
    timeout: 180_000,
  }, async () => {
    const [alice, bob] = await Promise.all([registerUser(server.url, "alice"), registerUser(server.url, "bob")]);
    const socket = await RawSocket.open(server.url, alice.token);
    const count = 40;
    for (let i = 0; i < count; i++) {
      socket.send({ type: "send", clientId: `c${i}`, chat: `u:${bob.user.id}`, text: `quince number w${i}` });
    }
    await socket.until((s) => s.of("sent").length === count, 20_000, "sent answers");
    // Killed while the outbox may still be handing messages to Bob.
    await server.kill();
    server = await startServer({ persistTo: server.persistTo });
    const url = server.url;
    let hits: Message[] = [];
    for (let tries = 0; tries < 150 && hits.length < count; tries++) {
      await new Promise((r) => setTimeout(r, 200));
      hits = await search(url, bob.token, "quince", "&limit=100");
    }
    expect(hits).toHaveLength(count);
    expect(new Set(hits.map((m) => m.id)).size).toBe(count);
    for (const i of [0, 17, count - 1]) expect(await search(url, bob.token, `w${i}`)).toHaveLength(1);
    expect(await search(url, alice.token, "quince", "&limit=100")).toHaveLength(count);
  });
});
