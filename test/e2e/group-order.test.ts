// Issue 20, item 3, from outside: over real sockets against `wrangler dev`,
// every device of every member receives a group's messages live in the one
// order of the group (its message ids' order). The senders are members with
// two devices each, which synced, chatted one-to-one and acknowledge every
// message as a real client does, before they send 20 messages each to the
// group, alternately and at once.

import { describe, expect, inject, it } from "vitest";
import type { AuthAnswer, Group } from "../../src/shared/protocol";
import { http, RawSocket, registerUser } from "../support/raw-socket";

const base = inject("baseUrl");
const EACH = 20;

/** A device as a client runs it: sync first, then acknowledge every message it gets. */
async function device(user: AuthAnswer): Promise<RawSocket> {
  const socket = await RawSocket.open(base, user.token);
  socket.ws.addEventListener("message", (event) => {
    const frame = JSON.parse(String(event.data)) as { type: string; message?: { id: string; from: string } };
    if (frame.type === "message" && frame.message && frame.message.from !== user.user.id) {
      socket.send({ type: "received", ids: [frame.message.id] });
    }
  });
  await socket.sync(0);
  return socket;
}

function liveIds(socket: RawSocket, chat: string): string[] {
  return socket
    .of("message")
    .filter((f) => f.message.chat === chat && !f.message.system)
    .map((f) => f.message.id);
}

describe("a group's order, live, from outside", () => {
  it("is one order on every device, senders with two devices and earlier one-to-one traffic included", async () => {
    const [ann, ben, cat] = await Promise.all(["ord", "ord", "ord"].map((p) => registerUser(base, p)));
    if (!ann || !ben || !cat) throw new Error("users");
    const [a1, a2, b1, b2, c1] = await Promise.all([device(ann), device(ann), device(ben), device(ben), device(cat)]);
    const devices = [a1, a2, b1, b2, c1];
    for (const [from, to, key] of [
      [a1, ben, "d1"],
      [b2, ann, "d2"],
      [a2, cat, "d3"],
      [b1, cat, "d4"],
    ] as const) {
      from.send({ type: "send", clientId: key, chat: `u:${to.user.id}`, text: `direct ${key}` });
      await from.next("sent", (f) => f.clientId === key);
    }
    const created = await http<Group>(base, "/api/groups", {
      method: "POST",
      token: ann.token,
      body: { name: "order", members: [ben.user.id, cat.user.id] },
    });
    expect(created.status).toBe(201);
    const chat = `g:${created.body.id}`;
    for (let i = 0; i < EACH; i++) {
      (i % 2 === 0 ? a1 : a2).send({ type: "send", clientId: `a${i}`, chat, text: `a${i}` });
      (i % 2 === 0 ? b2 : b1).send({ type: "send", clientId: `b${i}`, chat, text: `b${i}` });
    }
    for (const d of devices) await d.until((s) => liveIds(s, chat).length === 2 * EACH, 60_000, "every message");
    const first = liveIds(c1, chat);
    expect([...first].sort()).toEqual(first);
    for (const [k, d] of devices.entries())
      expect({ device: k, ids: liveIds(d, chat) }).toEqual({ device: k, ids: first });
    for (const d of devices) d.close();
  });
});
