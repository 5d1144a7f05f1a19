// Groups over real sockets against `wrangler dev`: concurrent senders see one
// order, outsiders are refused, membership changes arrive as system messages,
// a removed member stops receiving, an offline member syncs everything, and a
// SIGKILL in the middle of a fan-out loses and duplicates nothing.

import { afterAll, describe, expect, inject, it } from "vitest";
import type { AuthAnswer, Group, Message } from "../../src/shared/protocol";
import { http, RawSocket, registerUser } from "../support/raw-socket";
import { newStateDir, type RunningServer, startServer } from "../support/server";

const base = inject("baseUrl");

async function createGroup(url: string, owner: AuthAnswer, name: string, members: AuthAnswer[]): Promise<Group> {
  const res = await http<Group>(url, "/api/groups", {
    method: "POST",
    token: owner.token,
    body: { name, members: members.map((m) => m.user.id) },
  });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A member's whole history of a chat, oldest first, paging through the API. */
async function historyOf(url: string, reader: AuthAnswer, chat: string): Promise<Message[]> {
  const all: Message[] = [];
  let before: string | undefined;
  for (;;) {
    const q = before ? `?limit=100&before=${before}` : "?limit=100";
    const res = await http<{ messages: Message[] }>(url, `/api/chats/${chat}/messages${q}`, { token: reader.token });
    if (res.status !== 200) throw new Error(`history ${res.status}`);
    all.unshift(...res.body.messages);
    if (res.body.messages.length < 100) return all;
    before = res.body.messages[0]?.id;
  }
}

/** Polls a member's history until it holds `count` messages (the fan-out is asynchronous). */
async function historyWhen(url: string, reader: AuthAnswer, chat: string, count: number): Promise<Message[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const messages = await historyOf(url, reader, chat);
    if (messages.length >= count) return messages;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} messages; have ${messages.length}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function inChat(socket: RawSocket, chat: string): Message[] {
  return socket.of("message").flatMap((f) => (f.message.chat === chat ? [f.message] : []));
}

describe("groups end to end", () => {
  it("concurrent senders: every member gets every message once, in one order", async () => {
    const users = await Promise.all(["ann", "ben", "cat", "dan"].map((p) => registerUser(base, p)));
    const [ann, ...rest] = users as [AuthAnswer, ...AuthAnswer[]];
    const group = await createGroup(base, ann, "e2e team", rest);
    const chat = `g:${group.id}`;
    const sockets = await Promise.all(users.map((u) => RawSocket.open(base, u.token)));
    const perSender = 15;
    for (let i = 0; i < perSender; i++) {
      sockets.forEach((s, k) => {
        s.send({ type: "send", clientId: `c${k}-${i}`, chat, text: `${k}:${i}` });
      });
    }
    const total = users.length * perSender;
    await Promise.all(sockets.map((s) => s.until((x) => x.of("sent").length === perSender, 30_000, "sent answers")));
    await Promise.all(
      sockets.map((s) =>
        s.until((x) => inChat(x, chat).filter((m) => !m.system).length >= total, 30_000, "every message"),
      ),
    );
    const order = sockets.flatMap((s) => s.of("sent").map((f) => f.id)).sort();
    for (const [k, socket] of sockets.entries()) {
      const live = inChat(socket, chat).filter((m) => !m.system);
      expect(live.map((m) => m.id)).toEqual(order);
      const history = (await historyOf(base, users[k] as AuthAnswer, chat)).filter((m) => !m.system);
      expect(history.map((m) => m.id)).toEqual(order);
    }
    for (const s of sockets) s.close();
  });

  it("refuses an outsider everywhere and changes nothing", async () => {
    const owner = await registerUser(base, "own");
    const member = await registerUser(base, "mem");
    const eve = await registerUser(base, "eve");
    const group = await createGroup(base, owner, "private", [member]);
    const chat = `g:${group.id}`;

    const read = await http<{ error: { code: string } }>(base, `/api/groups/${group.id}`, { token: eve.token });
    expect([read.status, read.body.error.code]).toEqual([403, "not_member"]);
    const add = await http<{ error: { code: string } }>(base, `/api/groups/${group.id}/members`, {
      method: "POST",
      token: eve.token,
      body: { userId: eve.user.id },
    });
    expect([add.status, add.body.error.code]).toEqual([403, "not_member"]);
    const kick = await http<{ error: { code: string } }>(base, `/api/groups/${group.id}/members/${member.user.id}`, {
      method: "DELETE",
      token: eve.token,
    });
    expect([kick.status, kick.body.error.code]).toEqual([403, "not_member"]);
    const e = await RawSocket.open(base, eve.token);
    e.send({ type: "send", clientId: "x1", chat, text: "hello?" });
    expect(await e.next("error")).toMatchObject({ code: "not_member", clientId: "x1" });

    const now = await http<Group>(base, `/api/groups/${group.id}`, { token: owner.token });
    expect(now.body.members.map((m) => m.id)).toEqual([owner.user.id, member.user.id]);
    // Her reading the group's history is refused, as for a group that does not exist (issue 20).
    const peek = await http<{ error: { code: string } }>(base, `/api/chats/${chat}/messages`, { token: eve.token });
    expect([peek.status, peek.body.error.code]).toEqual([403, "not_member"]);
    const theirs = await historyWhen(base, member, chat, 1);
    expect(theirs.map((m) => m.system?.event ?? m.text)).toEqual(["created"]);
    e.close();
  });

  it("add, remove and leave arrive as system messages; the removed member stops receiving", async () => {
    const [ann, ben, cat] = await Promise.all(["ann", "ben", "cat"].map((p) => registerUser(base, p)));
    if (!ann || !ben || !cat) throw new Error("users");
    const group = await createGroup(base, ann, "changes", [ben]);
    const chat = `g:${group.id}`;
    const a = await RawSocket.open(base, ann.token);
    const b = await RawSocket.open(base, ben.token);
    const c = await RawSocket.open(base, cat.token);

    const added = await http<Group>(base, `/api/groups/${group.id}/members`, {
      method: "POST",
      token: ann.token,
      body: { userId: cat.user.id },
    });
    expect(added.status).toBe(200);
    await c.next("message", (f) => f.message.system?.event === "added");
    a.send({ type: "send", clientId: "hello", chat, text: "welcome cat" });
    await c.next("message", (f) => f.message.text === "welcome cat");

    const removed = await http<Group>(base, `/api/groups/${group.id}/members/${ben.user.id}`, {
      method: "DELETE",
      token: ann.token,
    });
    expect(removed.body.members.map((m) => m.id)).toEqual([ann.user.id, cat.user.id]);
    await b.next("message", (f) => f.message.system?.event === "removed");
    const left = await http<Group>(base, `/api/groups/${group.id}/members/${cat.user.id}`, {
      method: "DELETE",
      token: cat.token,
    });
    expect(left.status).toBe(200);
    a.send({ type: "send", clientId: "alone", chat, text: "just me now" });
    await a.next("message", (f) => f.message.text === "just me now");

    const annSees = (await historyWhen(base, ann, chat, 6)).map((m) => m.system ?? m.text);
    expect(annSees).toEqual([
      { event: "created", user: ann.user.id },
      { event: "added", user: cat.user.id, by: ann.user.id },
      "welcome cat",
      { event: "removed", user: ben.user.id, by: ann.user.id },
      { event: "left", user: cat.user.id },
      "just me now",
    ]);
    // Ben and cat keep what they had and got nothing after they went.
    const benSees = (await historyOf(base, ben, chat)).map((m) => m.system?.event ?? m.text);
    expect(benSees).toEqual(["created", "added", "welcome cat", "removed"]);
    const catSees = (await historyOf(base, cat, chat)).map((m) => m.system?.event ?? m.text);
    expect(catSees).toEqual(["added", "welcome cat", "removed", "left"]);
    expect(inChat(b, chat).some((m) => m.text === "just me now")).toBe(false);
    expect(inChat(c, chat).some((m) => m.text === "just me now")).toBe(false);
    b.send({ type: "send", clientId: "let-me-back", chat, text: "hi" });
    expect(await b.next("error")).toMatchObject({ code: "not_member", clientId: "let-me-back" });
    for (const s of [a, b, c]) s.close();
  });

  it("an offline member gets everything by sync, in order, once", async () => {
    const ann = await registerUser(base, "ann");
    const dora = await registerUser(base, "dora");
    const group = await createGroup(base, ann, "later", [dora]);
    const chat = `g:${group.id}`;
    const a = await RawSocket.open(base, ann.token);
    for (let i = 0; i < 40; i++) a.send({ type: "send", clientId: `s${i}`, chat, text: `n${i}` });
    await a.until((s) => s.of("sent").length === 40, 30_000, "40 sent");
    await historyWhen(base, dora, chat, 41);

    const d = await RawSocket.open(base, dora.token);
    await d.sync(0);
    const got = inChat(d, chat);
    expect(got.map((m) => m.text)).toEqual(["later", ...Array.from({ length: 40 }, (_, i) => `n${i}`)]);
    expect(got.slice(1).map((m) => m.id)).toEqual(a.of("sent").map((f) => f.id));
    a.close();
    d.close();
  });
});

describe("groups after SIGKILL", () => {
  let server: RunningServer | undefined;
  afterAll(async () => server?.stop());

  it("every member ends with every acknowledged message exactly once, in one order", async () => {
    const state = newStateDir();
    server = await startServer({ persistTo: state });
    const url = server.url;
    const users = await Promise.all(["k1", "k2", "k3", "k4", "k5"].map((p) => registerUser(url, p)));
    const [owner, ...rest] = users as [AuthAnswer, ...AuthAnswer[]];
    const group = await createGroup(url, owner, "crash", rest);
    const chat = `g:${group.id}`;
    const senders = users.slice(0, 3);
    const perSender = 40;
    const sockets = await Promise.all(senders.map((u) => RawSocket.open(url, u.token)));
    sockets.forEach((s, k) => {
      for (let i = 0; i < perSender; i++) s.send({ type: "send", clientId: `k${k}-${i}`, chat, text: `${k}/${i}` });
    });
    await sockets[0]?.until((s) => s.of("sent").length >= 5, 30_000, "some sent answers");
    await server.kill();
    const acked = sockets.map((s) => new Map(s.of("sent").map((f) => [f.clientId, f.id])));

    // Same state, new process; the clients retry everything.
    server = await startServer({ persistTo: state, port: server.port });
    const again = await Promise.all(senders.map((u) => RawSocket.open((server as RunningServer).url, u.token)));
    again.forEach((s, k) => {
      for (let i = 0; i < perSender; i++) s.send({ type: "send", clientId: `k${k}-${i}`, chat, text: `${k}/${i}` });
    });
    await Promise.all(again.map((s) => s.until((x) => x.of("sent").length === perSender, 60_000, "all answers")));
    for (const [k, socket] of again.entries()) {
      for (const f of socket.of("sent")) {
        const earlier = acked[k]?.get(f.clientId);
        if (earlier) expect(f.id).toBe(earlier);
      }
    }
    const total = 1 + senders.length * perSender;
    const histories = await Promise.all(users.map((u) => historyWhen(server?.url ?? url, u, chat, total)));
    const reference = histories[0]?.map((m) => m.id);
    for (const history of histories) {
      expect(history).toHaveLength(total);
      expect(history.map((m) => m.id)).toEqual(reference);
    }
    for (const [k] of senders.entries()) {
      const mine = histories[0]?.filter((m) => m.text.startsWith(`${k}/`)).map((m) => m.text);
      expect(mine).toEqual(Array.from({ length: perSender }, (_, i) => `${k}/${i}`));
    }
    for (const s of again) s.close();
  }, 240_000);
});
