// Two users chat over real sockets against `wrangler dev`; a third is offline
// and syncs; retries are deduplicated; a dropped device resyncs without gaps.

import { request } from "node:http";
import { describe, expect, inject, it } from "vitest";
import type { Message } from "../../src/shared/protocol";
import { http, RawSocket, registerUser } from "../support/raw-socket";

const base = inject("baseUrl");

describe("one-to-one chat end to end", () => {
  it("delivers both ways, to every device, with sent answers and receipts", async () => {
    const alice = await registerUser(base, "alice");
    const bob = await registerUser(base, "bob");
    const a = await RawSocket.open(base, alice.token, "protocol");
    const a2 = await RawSocket.open(base, alice.token);
    const b = await RawSocket.open(base, bob.token);

    a.send({ type: "send", clientId: "c1", chat: `u:${bob.user.id}`, text: "hi bob" });
    const sent = await a.next("sent", (f) => f.clientId === "c1");
    const got = await b.next("message", (f) => f.message.id === sent.id);
    expect(got.message).toMatchObject({ chat: `u:${alice.user.id}`, from: alice.user.id, text: "hi bob" });
    expect(got.message.clientId).toBeUndefined();
    // The sender's other device sees its own message too.
    const echo = await a2.next("message", (f) => f.message.id === sent.id);
    expect(echo.message).toMatchObject({ chat: `u:${bob.user.id}`, clientId: "c1", seq: sent.seq });

    b.send({ type: "received", ids: [sent.id] });
    const delivered = await a.next("receipt", (f) => f.status === "delivered");
    expect(delivered).toMatchObject({ chat: `u:${bob.user.id}`, ids: [sent.id], by: bob.user.id });
    b.send({ type: "read", chat: `u:${alice.user.id}`, upTo: sent.id });
    await a.next("receipt", (f) => f.status === "read" && f.ids.includes(sent.id));

    b.send({ type: "send", clientId: "r1", chat: `u:${alice.user.id}`, text: "hi alice" });
    const reply = await b.next("sent", (f) => f.clientId === "r1");
    await a.next("message", (f) => f.message.id === reply.id);

    const history = await http<{ messages: Message[] }>(base, `/api/chats/u:${bob.user.id}/messages`, {
      token: alice.token,
    });
    expect(history.body.messages.map((m) => m.text)).toEqual(["hi bob", "hi alice"]);
    const chats = await http<{ chats: { chat: string; unread: number }[] }>(base, "/api/chats", { token: bob.token });
    expect(chats.body.chats).toEqual([expect.objectContaining({ chat: `u:${alice.user.id}`, unread: 0 })]);
    for (const s of [a, a2, b]) s.close();
  });

  it("an offline user gets everything by sync, in order, once", async () => {
    const alice = await registerUser(base, "alice");
    const carol = await registerUser(base, "carol");
    const a = await RawSocket.open(base, alice.token);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      a.send({ type: "send", clientId: `m${i}`, chat: `u:${carol.user.id}`, text: `msg ${i}` });
    }
    await a.until((s) => s.of("sent").length === 30, 20_000, "30 sent");
    ids.push(...a.of("sent").map((f) => f.id));

    const c = await RawSocket.open(base, carol.token);
    // Delivery to carol's mailbox is asynchronous: sync until all have landed.
    let synced = await c.sync(0);
    for (let tries = 0; c.of("message").length < 30 && tries < 50; tries++) {
      await new Promise((r) => setTimeout(r, 100));
      synced = await c.sync(synced.seq);
    }
    const texts = c.of("message").map((f) => f.message.text);
    expect(texts).toEqual(Array.from({ length: 30 }, (_, i) => `msg ${i}`));
    expect(c.of("message").map((f) => f.message.id)).toEqual(ids);
    a.close();
    c.close();
  });

  it("a retried send is stored once and answered the same", async () => {
    const alice = await registerUser(base, "alice");
    const dave = await registerUser(base, "dave");
    const a = await RawSocket.open(base, alice.token);
    const frame = { type: "send", clientId: "retry-1", chat: `u:${dave.user.id}`, text: "once" };
    a.send(frame);
    a.send(frame);
    await a.until((s) => s.of("sent").length === 2, 10_000, "two sent answers");
    const [first, second] = a.of("sent");
    expect(second).toEqual(first);
    a.close();
    // A new connection retrying after a drop gets the same answer too.
    const again = await RawSocket.open(base, alice.token);
    again.send(frame);
    expect(await again.next("sent")).toEqual(first);
    const history = await http<{ messages: Message[] }>(base, `/api/chats/u:${alice.user.id}/messages`, {
      token: dave.token,
    });
    expect(history.body.messages.filter((m) => m.text === "once")).toHaveLength(1);
    again.close();
  });

  it("refuses an upgrade without a valid token", async () => {
    await expect(RawSocket.open(base, "not-a-token")).rejects.toThrow();
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(`${base}/ws`, {
        headers: {
          Connection: "Upgrade",
          Upgrade: "websocket",
          "Sec-WebSocket-Version": "13",
          "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
      });
      req.on("response", (res) => resolve(res.statusCode));
      req.on("upgrade", () => resolve(101));
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(401);
  });
});
