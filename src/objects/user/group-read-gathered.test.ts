// A member's `read` of a group (./group-acks.ts). Up to the newest entry its
// object took, nothing is left unread: every device is told so at once,
// without asking the group, and the read reaches the group gathered, on the
// answer to its next push or in a call of its own after ACK_BATCH_MS. Further
// back, the group is asked, and counts what is left unread after it.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChatSummary } from "../../shared/protocol";
import { clearAlarms, groupStub, settle, team } from "../../test/groups";
import { api, connect, type TestSocket, userStub } from "../../test/helpers";
import type { GroupObject } from "../group-object";
import type { UserObject } from "../user-object";
import type { UserParts } from "./parts";

let sends = 0;
async function send(socket: TestSocket, chat: string, text: string): Promise<string> {
  const clientId = `r${++sends}`;
  socket.send({ type: "send", clientId, chat, text });
  return (await socket.next("sent", (f) => f.clientId === clientId)).id;
}

async function unreadOf(token: string, chat: string): Promise<number | undefined> {
  const list = (await (await api("/api/chats", { token })).json()) as { chats: ChatSummary[] };
  return list.chats.find((c) => c.chat === chat)?.unread;
}

function readMarkAt(groupId: string, member: string): Promise<string | undefined> {
  return runInDurableObject(groupStub(groupId), (g: GroupObject) => g.fanout?.marksOf(member)?.read);
}

describe("a member's read of a group", { timeout: 60_000 }, () => {
  it("up to the newest: unread 0 on every device at once, then the senders' receipt and the group's mark", async () => {
    const { admin, rest, group, chat } = await team(2);
    const bob = rest[0] as (typeof rest)[0];
    const a = await connect(admin.token);
    const [b1, b2] = [await connect(bob.token), await connect(bob.token)];
    const first = await send(a, chat, "one");
    const second = await send(a, chat, "two");
    for (const b of [b1, b2]) await b.next("message", (f) => f.message.id === second);

    b1.send({ type: "read", chat, upTo: second });
    expect(await b2.next("chat", (f) => f.chat === chat)).toMatchObject({ unread: 0 });
    expect(await unreadOf(bob.token, chat)).toBe(0);
    // No push comes: the read goes in its own call, and the sender hears of both messages.
    const receipt = await a.next("receipt", (f) => f.by === bob.user.id && f.status === "read");
    expect(receipt.ids).toEqual([first, second]);
    expect(await readMarkAt(group.id, bob.user.id)).toBe(second);

    // What comes after counts as unread again, here and at the group alike.
    const third = await send(a, chat, "three");
    await b2.next("message", (f) => f.message.id === third);
    expect(await unreadOf(bob.token, chat)).toBe(1);
    for (const s of [a, b1, b2]) s.close();
    await settle(group.id);
    await clearAlarms([group.id], [admin.user.id, bob.user.id]);
  });

  it("read as each message comes, the next on its way: each message's read receipt once", async () => {
    const { admin, rest, group, chat } = await team(2);
    const bob = rest[0] as (typeof rest)[0];
    const a = await connect(admin.token);
    const b = await connect(bob.token);
    const ids: string[] = [];
    // Bob reads each message as it comes, while the next is already on its way.
    for (let i = 0; i < 5; i++) {
      const id = await send(a, chat, `quick ${i}`);
      ids.push(id);
      await b.next("message", (f) => f.message.id === id);
      b.send({ type: "read", chat, upTo: id });
    }
    await b.next("chat", (f) => f.chat === chat && f.unread === 0);
    const readIds = new Set<string>();
    while (readIds.size < ids.length) {
      const r = await a.next("receipt", (f) => f.by === bob.user.id && f.status === "read");
      for (const id of r.ids) {
        expect(readIds.has(id), `${id} read twice`).toBe(false);
        readIds.add(id);
      }
    }
    expect([...readIds].sort()).toEqual([...ids].sort());
    await settle(group.id);
    expect(await readMarkAt(group.id, bob.user.id)).toBe(ids.at(-1));
    for (const s of [a, b]) s.close();
    await clearAlarms([group.id], [admin.user.id, bob.user.id]);
  });

  it("rides on the answer to the group's next push, once, and the group passes it on to the sender", async () => {
    const { admin, rest, group, chat } = await team(2);
    const bob = rest[0] as (typeof rest)[0];
    const a = await connect(admin.token);
    const b = await connect(bob.token);
    const sent = await send(a, chat, "one");
    await b.next("message", (f) => f.message.id === sent);
    await settle(group.id);
    // Read on a device, and the group pushes before the gathered read leaves in a call of its own.
    const seen = await runInDurableObject(userStub(bob.user.id), async (instance: UserObject) => {
      const parts = (instance as unknown as { parts: UserParts }).parts;
      await parts.groupAcks.read(chat, sent);
      const unread = parts.groups.get(chat)?.unread;
      const first = await instance.takeGroup(group.id, [], sent);
      return { unread, answers: [first, await instance.takeGroup(group.id, [], sent)] };
    });
    // Counted here, not asked; claimed by the first answer: neither the next one nor a call carries it again.
    expect(seen).toEqual({ unread: 0, answers: [{ online: true, read: sent }, { online: true }] });
    await runInDurableObject(groupStub(group.id), (object: GroupObject) => {
      object.fanout?.onAcked(bob.user.id, "", sent);
    });
    expect(await a.next("receipt", (f) => f.by === bob.user.id)).toMatchObject({ ids: [sent], status: "read" });
    expect(await readMarkAt(group.id, bob.user.id)).toBe(sent);
    await new Promise((r) => setTimeout(r, 600)); // past both batches: nothing more comes
    expect(a.of("receipt").filter((f) => f.by === bob.user.id)).toHaveLength(1);
    for (const s of [a, b]) s.close();
    await settle(group.id);
    await clearAlarms([group.id], [admin.user.id, bob.user.id]);
  });

  it("further back: the group counts what is left unread after it", async () => {
    const { admin, rest, group, chat } = await team(2);
    const bob = rest[0] as (typeof rest)[0];
    const a = await connect(admin.token);
    const b = await connect(bob.token);
    const first = await send(a, chat, "one");
    await send(a, chat, "two");
    const third = await send(a, chat, "three");
    await b.next("message", (f) => f.message.id === third);

    b.send({ type: "read", chat, upTo: first });
    expect(await b.next("chat", (f) => f.chat === chat)).toMatchObject({ unread: 2 });
    // Asked at once: the group stored the mark before it answered.
    expect(await readMarkAt(group.id, bob.user.id)).toBe(first);
    expect(await unreadOf(bob.token, chat)).toBe(2);
    for (const s of [a, b]) s.close();
    await settle(group.id);
    await clearAlarms([group.id], [admin.user.id, bob.user.id]);
  });
});
