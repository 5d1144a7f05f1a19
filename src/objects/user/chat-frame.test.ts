// The `chat` frame: a read on one device, or a mute by the route, reaches
// every device of the user at once (docs/protocol.md, "Chat state").

import { describe, expect, it } from "vitest";
import { randomId } from "../../shared/ids";
import type { ChatSummary } from "../../shared/protocol";
import { team } from "../../test/groups";
import { api, connect, register, type TestSocket } from "../../test/helpers";

/** Sends a message and waits until `to` has it live; answers its id. */
async function sendTo(from: TestSocket, to: TestSocket, chat: string, text: string): Promise<string> {
  const clientId = crypto.randomUUID();
  from.send({ type: "send", clientId, chat, text });
  const { id } = await from.next("sent", (f) => f.clientId === clientId);
  await to.next("message", (f) => f.message.id === id);
  return id;
}

describe("the chat frame", () => {
  it("tells every device of the reader a one-to-one chat's unread count after a read, once", async () => {
    const [alice, bob] = await Promise.all([register(), register()]);
    const [phone, laptop, bobSocket] = await Promise.all([
      connect(alice.token),
      connect(alice.token),
      connect(bob.token),
    ]);
    await Promise.all([phone.speak(), laptop.speak(), bobSocket.speak()]);
    const chat = `u:${bob.user.id}`;
    const first = await sendTo(bobSocket, phone, `u:${alice.user.id}`, "one");
    const second = await sendTo(bobSocket, phone, `u:${alice.user.id}`, "two");

    phone.send({ type: "read", chat, upTo: first });
    expect(await laptop.next("chat")).toEqual({ type: "chat", chat, unread: 1 });
    phone.send({ type: "read", chat, upTo: second });
    await laptop.next("chat", (f) => f.unread === 0);
    expect((await phone.next("chat", (f) => f.unread === 0)).chat).toBe(chat);

    // Read again: nothing changed, no frame (a sync is the round trip that shows it).
    phone.send({ type: "read", chat, upTo: second });
    await laptop.speak();
    await phone.speak();
    expect(laptop.of("chat")).toHaveLength(2);
    const list = (await (await api("/api/chats", { token: alice.token })).json()) as { chats: ChatSummary[] };
    expect(list.chats.find((c) => c.chat === chat)?.unread).toBe(0);
  });

  it("tells every device of a group member the group's unread count after a read", async () => {
    const { admin, rest, chat } = await team(2);
    const member = rest[0];
    if (!member) throw new Error("no member");
    const [adminSocket, phone, laptop] = await Promise.all([
      connect(admin.token),
      connect(member.token),
      connect(member.token),
    ]);
    await Promise.all([adminSocket.speak(), phone.speak(), laptop.speak()]);
    const id = await sendTo(adminSocket, phone, chat, "hello team");
    await laptop.next("message", (f) => f.message.id === id);

    phone.send({ type: "read", chat, upTo: id });
    expect(await laptop.next("chat")).toEqual({ type: "chat", chat, unread: 0 });
  });

  it("tells every device a mute and an unmute; a refused mute tells nothing", async () => {
    const [alice, bob] = await Promise.all([register(), register()]);
    const [phone, laptop] = await Promise.all([connect(alice.token), connect(alice.token)]);
    await Promise.all([phone.speak(), laptop.speak()]);
    const chat = `u:${bob.user.id}`;
    const mute = (target: string, until: unknown) =>
      api(`/api/chats/${target}/mute`, { method: "PUT", token: alice.token, body: { until } });

    expect((await mute(`u:${randomId()}`, "always")).status).toBe(404);
    expect((await mute(chat, "always")).status).toBe(200);
    expect(await laptop.next("chat")).toEqual({ type: "chat", chat, mutedUntil: "always" });
    expect(await phone.next("chat")).toEqual({ type: "chat", chat, mutedUntil: "always" });
    expect((await mute(chat, null)).status).toBe(200);
    await laptop.next("chat", (f) => f.mutedUntil === null);
    // The refused one came first and sent nothing: only the two good ones arrived.
    expect(laptop.of("chat").map((f) => f.chat)).toEqual([chat, chat]);
  });
});
