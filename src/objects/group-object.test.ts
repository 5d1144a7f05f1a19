import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AuthAnswer, Message } from "../shared/protocol";
import { clearAlarms, groupStub, historyOf, settle, team } from "../test/groups";
import { api, connect, register, type TestSocket, userStub } from "../test/helpers";
import type { GroupObject } from "./group-object";
import type { UserParts } from "./user/parts";
import type { UserObject } from "./user-object";

/** The group's messages on a socket, in arrival order. */
function inChat(socket: TestSocket, chat: string): Message[] {
  return socket.of("message").flatMap((f) => (f.message.chat === chat ? [f.message] : []));
}

/** Replays a member's whole mailbox on a fresh socket: its group messages in seq order. */
async function replayed(user: AuthAnswer, chat: string): Promise<Message[]> {
  const socket = await connect(user.token);
  socket.send({ type: "sync", after: 0 });
  await socket.next("synced");
  socket.close();
  return inChat(socket, chat);
}

describe("sending to a group", { timeout: 60_000 }, () => {
  it("concurrent senders: every member has every message once, all in one order", async () => {
    const { users, group, chat } = await team(4);
    const sockets = await Promise.all(users.map((u) => connect(u.token)));
    const perSender = 10;
    for (let i = 0; i < perSender; i++) {
      sockets.forEach((s, k) => {
        s.send({ type: "send", clientId: `m${k}-${i}`, chat, text: `from ${k} #${i}` });
      });
    }
    const sent = await Promise.all(
      sockets.map(async (s) => {
        for (let i = 0; i < perSender; i++) await s.next("sent", (f) => f.clientId.endsWith(`-${i}`));
        return s.of("sent");
      }),
    );
    await settle(group.id);
    const all = sent.flat().map((f) => f.id);
    expect(new Set(all).size).toBe(4 * perSender);
    const order = [...all].sort();
    for (const [k, user] of users.entries()) {
      // The mailbox (history, by id) and the replay (by seq) agree, for everyone.
      const history = (await historyOf(user.user.id, chat)).filter((m) => !m.system);
      expect(history.map((m) => m.id)).toEqual(order);
      const replay = (await replayed(user, chat)).filter((m) => !m.system);
      expect(replay.map((m) => m.id)).toEqual(order);
      // Live frames arrived once each, in the same order.
      const live = inChat(sockets[k] as TestSocket, chat).filter((m) => !m.system);
      expect(live.map((m) => m.id)).toEqual(order);
      // A sender's own messages carry their clientId, and `sent` named their seq.
      for (const message of history.filter((m) => m.from === user.user.id)) {
        const answer = sent[k]?.find((f) => f.id === message.id);
        expect(message.clientId).toBe(answer?.clientId);
        expect(message.seq).toBe(answer?.seq);
      }
    }
    // Each sender's own messages keep the order it sent them in.
    for (const answers of sent) {
      const mine = new Set(answers.map((f) => f.id));
      expect(order.filter((id) => mine.has(id))).toEqual(answers.map((f) => f.id));
    }
    for (const s of sockets) s.close();
    await clearAlarms([group.id]);
  });

  it("an outsider's send is refused with not_member; nothing is stored or delivered", async () => {
    const { admin, group, chat } = await team(2);
    const eve = await register();
    const a = await connect(admin.token);
    const e = await connect(eve.token);
    await settle(group.id);
    const before = await groupStub(group.id).stats();
    e.send({ type: "send", clientId: "sneaky", chat, text: "let me in" });
    const error = await e.next("error");
    expect(error).toMatchObject({ code: "not_member", clientId: "sneaky" });
    e.send({ type: "send", clientId: "ghost", chat: "g:zzzzzzzzzzzzzzzz", text: "anyone?" });
    expect(await e.next("error", (f) => f.clientId === "ghost")).toMatchObject({ code: "unknown_group" });
    // A member's send after it goes through, and is the only new entry.
    a.send({ type: "send", clientId: "ok", chat, text: "members only" });
    await a.next("sent");
    await settle(group.id);
    expect((await groupStub(group.id).stats()).log).toBe(before.log + 1);
    expect(await historyOf(eve.user.id, chat)).toEqual([]);
    expect(inChat(e, chat)).toEqual([]);
    expect((await historyOf(admin.user.id, chat)).map((m) => m.text)).toEqual(["team", "members only"]);
    a.close();
    e.close();
    await clearAlarms([group.id]);
  });

  it("a removed member gets nothing after, keeps its history, and can no longer send", async () => {
    const { users, admin, group, chat } = await team(3);
    const bob = users[1] as AuthAnswer;
    const a = await connect(admin.token);
    const b = await connect(bob.token);
    a.send({ type: "send", clientId: "before", chat, text: "before" });
    await b.next("message", (f) => f.message.text === "before");
    const res = await api(`/api/groups/${group.id}/members/${bob.user.id}`, { method: "DELETE", token: admin.token });
    expect(res.status).toBe(200);
    await b.next("message", (f) => f.message.system?.event === "removed");
    a.send({ type: "send", clientId: "after", chat, text: "after" });
    await a.next("sent", (f) => f.clientId === "after");
    await settle(group.id);
    expect(inChat(b, chat).map((m) => m.text)).toEqual(["before", ""]);
    expect((await historyOf(bob.user.id, chat)).map((m) => m.system?.event ?? m.text)).toEqual([
      "created",
      "before",
      "removed",
    ]);
    // Through the API too: the history stays readable.
    const page = await api(`/api/chats/${chat}/messages`, { token: bob.token });
    expect(((await page.json()) as { messages: Message[] }).messages.map((m) => m.text)).toContain("before");
    b.send({ type: "send", clientId: "late", chat, text: "wait" });
    expect(await b.next("error")).toMatchObject({ code: "not_member", clientId: "late" });
    await settle(group.id);
    expect((await historyOf(admin.user.id, chat)).map((m) => m.text)).not.toContain("wait");
    a.close();
    b.close();
    await clearAlarms([group.id]);
  });

  it("an offline member gets everything by sync, in order, once", async () => {
    const { users, admin, group, chat } = await team(3);
    const carol = users[2] as AuthAnswer;
    const a = await connect(admin.token);
    for (let i = 0; i < 30; i++) a.send({ type: "send", clientId: `o${i}`, chat, text: `msg ${i}` });
    await a.next("sent", (f) => f.clientId === "o29");
    await settle(group.id);
    const messages = await replayed(carol, chat);
    expect(messages.map((m) => m.text)).toEqual(["team", ...Array.from({ length: 30 }, (_, i) => `msg ${i}`)]);
    expect(messages.slice(1).map((m) => m.id)).toEqual(a.of("sent").map((f) => f.id));
    a.close();
    await clearAlarms([group.id]);
  });

  it("a retried send gets the same answer and is stored once, even after the first answer was lost", async () => {
    const { users, admin, group, chat } = await team(2);
    const bob = users[1] as AuthAnswer;
    const a = await connect(admin.token);
    const frame = { type: "send", clientId: "twice", chat, text: "once" };
    a.send(frame);
    a.send(frame);
    await a.until((s) => s.of("sent").length === 2);
    await settle(group.id);
    const [first, second] = a.of("sent");
    expect(second).toEqual(first);

    // The group stored a post but its answer never reached the sender's
    // object (a crash in between): the client's retry gets that message.
    const lost = await groupStub(group.id).post(admin.user.id, "lost-answer", "stored by the group", undefined, "");
    if (!lost.ok) throw new Error("post failed");
    a.send({ type: "send", clientId: "lost-answer", chat, text: "stored by the group" });
    const retried = await a.next("sent", (f) => f.clientId === "lost-answer");
    expect(retried.id).toBe(lost.value.id);
    await settle(group.id);
    a.send({ type: "send", clientId: "lost-answer", chat, text: "stored by the group" });
    await a.next("sent", (f) => f.clientId === "lost-answer" && f !== retried);
    expect(a.of("sent").filter((f) => f.clientId === "lost-answer")).toEqual([retried, retried]);
    for (const user of [admin, bob]) {
      const texts = (await historyOf(user.user.id, chat)).map((m) => m.text);
      expect(texts).toEqual(["team", "once", "stored by the group"]);
    }
    a.close();
    await clearAlarms([group.id]);
  });
});

describe("fan-out failures", { timeout: 60_000 }, () => {
  for (const when of ["before", "after"] as const) {
    it(`a member's object failing once (${when} storing) still gets the message exactly once`, async () => {
      const { users, admin, group, chat } = await team(3);
      const victim = (users[1] as AuthAnswer).user.id;
      await settle(group.id);
      let failures = 0;
      await runInDurableObject(groupStub(group.id), (object: GroupObject) => {
        const fanout = object.fanout;
        if (!fanout) throw new Error("no fan-out");
        const real = fanout.deliver;
        fanout.deliver = async (target, items, after) => {
          if (target !== victim || failures > 0) return real(target, items, after);
          failures += 1;
          if (when === "after") await real(target, items, after); // stored, but the answer is lost
          throw new Error("injected failure");
        };
      });
      const a = await connect(admin.token);
      a.send({ type: "send", clientId: "f1", chat, text: "through a failure" });
      a.send({ type: "send", clientId: "f2", chat, text: "and the next one" });
      await a.next("sent", (f) => f.clientId === "f2");
      await settle(group.id);
      expect(failures).toBe(1);
      for (const user of users) {
        const texts = (await historyOf(user.user.id, chat)).map((m) => m.text);
        expect(texts).toEqual(["team", "through a failure", "and the next one"]);
      }
      a.close();
      await clearAlarms([group.id]);
    });
  }
});

describe("group receipts", { timeout: 60_000 }, () => {
  it("each member's delivered and read reach the sender, by member, and replay on sync", async () => {
    const { users, admin, group, chat } = await team(3);
    const [, bob, carol] = users as [AuthAnswer, AuthAnswer, AuthAnswer];
    const a = await connect(admin.token);
    const b = await connect(bob.token);
    const c = await connect(carol.token);
    a.send({ type: "send", clientId: "r1", chat, text: "did you get this?" });
    const sent = await a.next("sent");
    await b.next("message", (f) => f.message.id === sent.id);
    await c.next("message", (f) => f.message.id === sent.id);
    b.send({ type: "received", ids: [sent.id] });
    c.send({ type: "read", chat, upTo: sent.id });
    const fromBob = await a.next("receipt", (f) => f.by === bob.user.id);
    expect(fromBob).toMatchObject({ chat, ids: [sent.id], status: "delivered" });
    const fromCarol = await a.next("receipt", (f) => f.by === carol.user.id);
    expect(fromCarol).toMatchObject({ chat, ids: [sent.id], status: "read" });
    // Stored for sync: a device that connects later gets both.
    const later = await connect(admin.token);
    later.send({ type: "sync", after: 0 });
    await later.next("synced");
    // Bob's and carol's objects deliver independently: either may come first.
    const replayed = later.of("receipt").map((f) => [f.by, f.status]);
    expect(replayed).toHaveLength(2);
    expect(replayed).toEqual(
      expect.arrayContaining([
        [bob.user.id, "delivered"],
        [carol.user.id, "read"],
      ]),
    );
    for (const s of [a, b, c, later]) s.close();
    await settle(group.id);
    await clearAlarms([group.id], [admin.user.id, bob.user.id, carol.user.id]);
  });

  it("a member's delivered rides on the answer to the group's next push, once, and reaches the sender", async () => {
    const { users, admin, group, chat } = await team(2);
    const bob = users[1] as AuthAnswer;
    const a = await connect(admin.token);
    const b = await connect(bob.token);
    a.send({ type: "send", clientId: "ride1", chat, text: "first" });
    const sent = await a.next("sent");
    await b.next("message", (f) => f.message.id === sent.id);
    await settle(group.id);
    // The device's acknowledgement is gathered (as a `received` frame is), and the group pushes before it leaves.
    const answers = await runInDurableObject(userStub(bob.user.id), async (instance: UserObject) => {
      (instance as unknown as { parts: UserParts }).parts.groupAcks.received([sent.id]);
      const first = await instance.takeGroup(group.id, [], sent.id);
      return [first, await instance.takeGroup(group.id, [], sent.id)];
    });
    // Claimed: neither the next answer nor the batch's own call carries it again.
    expect(answers).toEqual([{ online: true, delivered: sent.id }, { online: true }]);
    await runInDurableObject(groupStub(group.id), (object: GroupObject) => {
      object.fanout?.onAcked(bob.user.id, sent.id, "");
    });
    const receipt = await a.next("receipt", (f) => f.by === bob.user.id);
    expect(receipt).toMatchObject({ chat, ids: [sent.id], status: "delivered" });
    await new Promise((r) => setTimeout(r, 600)); // past both batches: nothing more comes
    expect(a.of("receipt").filter((f) => f.by === bob.user.id)).toHaveLength(1);
    for (const s of [a, b]) s.close();
    await settle(group.id);
    await clearAlarms([group.id], [admin.user.id, bob.user.id]);
  });
});
