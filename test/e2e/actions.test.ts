// Message actions over real sockets against `wrangler dev`: replies, edits and
// deletes reach every member once, live and on sync, in order after their
// message; bad actions change nothing; an edit and a delete at once end
// deleted; an edit made while the group's fan-out is still running, and one
// made while the recipient is away and the server is SIGKILLed, arrive after
// the message, once; the edit and delete windows, on a server with short ones.

import { afterAll, describe, expect, inject, it } from "vitest";
import type { AuthAnswer, Group, Message } from "../../src/shared/protocol";
import { act } from "../support/act";
import { ClientUser } from "../support/client-user";
import { http, RawSocket, registerUser } from "../support/raw-socket";
import { newStateDir, type RunningServer, startServer } from "../support/server";
import { waitFor } from "../support/wait";

const base = inject("baseUrl");

async function send(socket: RawSocket, chat: string, text: string, clientId: string, replyTo?: string) {
  const answer = await act(socket, { type: "send", clientId, chat, text, ...(replyTo ? { replyTo } : {}) });
  if (answer.type !== "sent") throw new Error(`send failed: ${JSON.stringify(answer)}`);
  return answer;
}

async function history(url: string, reader: AuthAnswer, chat: string): Promise<Message[]> {
  const res = await http<{ messages: Message[] }>(url, `/api/chats/${chat}/messages?limit=100`, {
    token: reader.token,
  });
  if (res.status !== 200) throw new Error(`history ${res.status}`);
  return res.body.messages;
}

/** Polls a history until `check` holds (deliveries are asynchronous). */
async function historyWhen(url: string, reader: AuthAnswer, chat: string, check: (m: Message[]) => boolean) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const messages = await history(url, reader, chat);
    if (check(messages)) return messages;
    if (Date.now() > deadline) throw new Error(`history never matched: ${JSON.stringify(messages).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A fresh device's full replay: the frames for one message, in order, as [type, text]. */
async function replayOf(url: string, user: AuthAnswer, id: string): Promise<[string, string][]> {
  const socket = await RawSocket.open(url, user.token);
  await socket.sync(0);
  socket.close();
  return socket.frames.flatMap((f): [string, string][] =>
    typeof f !== "string" && (f.type === "message" || f.type === "update") && f.message.id === id
      ? [[f.type, f.message.text]]
      : [],
  );
}

describe("message actions end to end", () => {
  it("one-to-one: reply, edit, delete for everyone and for me, live and for a device that syncs later", async () => {
    const [ann, ben] = await Promise.all([registerUser(base, "ann"), registerUser(base, "ben")]);
    const a = await RawSocket.open(base, ann.token);
    const b = await RawSocket.open(base, ben.token);
    const toBen = `u:${ben.user.id}`;
    const toAnn = `u:${ann.user.id}`;
    const first = await send(a, toBen, "lunch at noon?", "m1");
    await b.next("message", (f) => f.message.id === first.id);
    const reply = await send(b, toAnn, "yes", "r1", first.id);
    const quoted = await a.next("message", (f) => f.message.id === reply.id);
    expect(quoted.message.replyTo).toEqual({ id: first.id, from: ann.user.id, excerpt: "lunch at noon?" });

    expect(await act(a, { type: "edit", clientId: "e1", id: first.id, text: "lunch at one?" })).toMatchObject({
      type: "update",
      message: { text: "lunch at one?" },
    });
    await b.next("update", (f) => f.message.id === first.id);
    // The quote follows the edit in ben's mailbox.
    const bens = await historyWhen(base, ben, toAnn, (m) => m[0]?.text === "lunch at one?");
    expect(bens[1]?.replyTo?.excerpt).toBe("lunch at one?");

    const other = await send(a, toBen, "a typo nobody should see", "m2");
    await b.next("message", (f) => f.message.id === other.id);
    await act(a, { type: "delete", clientId: "d1", id: other.id, for: "everyone" });
    await b.next("update", (f) => f.message.id === other.id && f.message.deletedAt !== undefined);
    expect(await act(b, { type: "delete", clientId: "d2", id: reply.id, for: "me" })).toMatchObject({
      type: "removed",
      id: reply.id,
    });

    const bensNow = await history(base, ben, toAnn);
    expect(bensNow.map((m) => [m.text, m.editedAt !== undefined, m.deletedAt !== undefined])).toEqual([
      ["lunch at one?", true, false],
      ["", false, true],
    ]);
    const annsNow = await history(base, ann, toBen);
    expect(annsNow.map((m) => m.text)).toEqual(["lunch at one?", "yes", ""]);
    // A device that syncs later: each message, then its change, once; no deleted text anywhere.
    expect(await replayOf(base, ben, first.id)).toEqual([
      ["message", "lunch at one?"],
      ["update", "lunch at one?"],
    ]);
    const replay = await RawSocket.open(base, ben.token);
    await replay.sync(0);
    replay.close();
    expect(JSON.stringify(replay.frames)).not.toContain("typo nobody");
    expect(replay.of("removed").map((f) => f.id)).toEqual([reply.id]);
    a.close();
    b.close();
  });

  it("refuses bad actions with their codes, and both mailboxes stay as they were", async () => {
    const [ann, ben, cat] = (await Promise.all(["ann", "ben", "cat"].map((p) => registerUser(base, p)))) as [
      AuthAnswer,
      AuthAnswer,
      AuthAnswer,
    ];
    const a = await RawSocket.open(base, ann.token);
    const b = await RawSocket.open(base, ben.token);
    const toBen = `u:${ben.user.id}`;
    const mine = await send(a, toBen, "mine", "m1");
    const theirs = await send(b, `u:${ann.user.id}`, "theirs", "m2");
    const elsewhere = await send(a, `u:${cat.user.id}`, "to cat", "m3");
    await a.next("message", (f) => f.message.id === theirs.id);
    const unknown = `${"0".repeat(13)}${ann.user.id}`;
    const cases: [Record<string, unknown>, string][] = [
      [{ type: "edit", id: theirs.id, text: "x" }, "not_your_message"],
      [{ type: "delete", id: theirs.id, for: "everyone" }, "not_your_message"],
      [{ type: "edit", id: unknown, text: "x" }, "unknown_message"],
      [{ type: "delete", id: unknown, for: "me" }, "unknown_message"],
      [{ type: "edit", id: mine.id, text: "" }, "invalid_field"],
      [{ type: "edit", id: mine.id, text: "y".repeat(4097) }, "text_too_long"],
      [{ type: "delete", id: mine.id, for: "nobody" }, "invalid_field"],
      [{ type: "edit", id: 12, text: "x" }, "invalid_field"],
      [{ type: "send", chat: toBen, text: "x", replyTo: unknown }, "unknown_message"],
      [{ type: "send", chat: toBen, text: "x", replyTo: elsewhere.id }, "invalid_reply"],
    ];
    for (const [i, [frame, code]] of cases.entries()) {
      expect(await act(a, { ...frame, clientId: `bad${i}` })).toMatchObject({ type: "error", code });
    }
    const anns = await history(base, ann, toBen);
    expect(anns.map((m) => [m.text, m.editedAt, m.deletedAt])).toEqual([
      ["mine", undefined, undefined],
      ["theirs", undefined, undefined],
    ]);
    expect((await history(base, ben, `u:${ann.user.id}`)).map((m) => m.text)).toEqual(["mine", "theirs"]);
    expect(b.of("update")).toEqual([]);
    a.close();
    b.close();
  });

  it("an edit and a delete at once, from two devices: deleted everywhere, never edited after", async () => {
    const [ann, ben] = await Promise.all([registerUser(base, "ann"), registerUser(base, "ben")]);
    const a1 = await RawSocket.open(base, ann.token);
    const a2 = await RawSocket.open(base, ann.token);
    const b = await RawSocket.open(base, ben.token);
    const sent = await send(a1, `u:${ben.user.id}`, "racing", "m1");
    await b.next("message", (f) => f.message.id === sent.id);
    a1.send({ type: "edit", clientId: "e1", id: sent.id, text: "the edit" });
    a2.send({ type: "delete", clientId: "d1", id: sent.id, for: "everyone" });
    const edit = await a1.until((s) =>
      s.frames.find((f) => typeof f !== "string" && "clientId" in f && f.clientId === "e1"),
    );
    const del = await a2.until((s) =>
      s.frames.find((f) => typeof f !== "string" && "clientId" in f && f.clientId === "d1"),
    );
    expect(del).toMatchObject({ type: "update" });
    if (typeof edit !== "string" && edit.type === "error") expect(edit.code).toBe("message_deleted");
    await b.until((s) => s.of("update").some((f) => f.message.deletedAt !== undefined), 15_000, "the delete");
    for (const [user, chat] of [
      [ann, `u:${ben.user.id}`],
      [ben, `u:${ann.user.id}`],
    ] as const) {
      const [stored] = await history(base, user, chat);
      expect(stored).toMatchObject({ text: "", deletedBy: ann.user.id });
    }
    expect(b.of("update").at(-1)?.message.deletedAt).toBeDefined();
    for (const s of [a1, a2, b]) s.close();
  });

  it("a reply to a deleted message is stored with its quote marked deleted", async () => {
    const [ann, ben] = await Promise.all([registerUser(base, "ann"), registerUser(base, "ben")]);
    const a = await RawSocket.open(base, ann.token);
    const b = await RawSocket.open(base, ben.token);
    const sent = await send(a, `u:${ben.user.id}`, "soon gone", "m1");
    await b.next("message", (f) => f.message.id === sent.id);
    await act(a, { type: "delete", clientId: "d1", id: sent.id, for: "everyone" });
    const reply = await send(b, `u:${ann.user.id}`, "what was it?", "r1", sent.id);
    const got = await a.next("message", (f) => f.message.id === reply.id);
    expect(got.message.replyTo).toEqual({ id: sent.id, from: ann.user.id, excerpt: "", deleted: true });
    a.close();
    b.close();
  });

  it("groups: an edit made while the fan-out is still running reaches every member once, after the message", async () => {
    const users = await Promise.all(Array.from({ length: 8 }, (_, i) => registerUser(base, `g${i}`)));
    const [owner, ...rest] = users as [AuthAnswer, ...AuthAnswer[]];
    const created = await http<Group>(base, "/api/groups", {
      method: "POST",
      token: owner.token,
      body: { name: "edits", members: rest.map((u) => u.user.id) },
    });
    const chat = `g:${created.body.id}`;
    const sockets = await Promise.all(users.slice(0, 4).map((u) => RawSocket.open(base, u.token)));
    const a = sockets[0] as RawSocket;
    // Send and edit back to back: the edit is taken while the message is still being fanned out.
    a.send({ type: "send", clientId: "m1", chat, text: "draft" });
    const sent = await a.next("sent", (f) => f.clientId === "m1");
    a.send({ type: "edit", clientId: "e1", id: sent.id, text: "final" });
    await a.next("update", (f) => f.clientId === "e1");
    // An admin deletes another message at once too.
    const other = await send(sockets[1] as RawSocket, chat, "off topic", "m2");
    await act(a, { type: "delete", clientId: "d1", id: other.id, for: "everyone" });
    for (const user of users) {
      const messages = await historyWhen(base, user, chat, (m) => m.some((x) => x.id === other.id && x.deletedAt));
      expect(messages.filter((m) => !m.system).map((m) => [m.text, m.deletedBy])).toEqual([
        ["final", undefined],
        ["", owner.user.id],
      ]);
      expect(await replayOf(base, user, sent.id)).toEqual([
        ["message", "final"],
        ["update", "final"],
      ]);
    }
    for (const socket of sockets.slice(1)) {
      const frames = socket.frames.flatMap((f) =>
        typeof f !== "string" && (f.type === "message" || f.type === "update") && f.message.id === sent.id
          ? [f.type]
          : [],
      );
      expect(frames).toEqual(["message", "update"]);
    }
    for (const s of sockets) s.close();
  });
});

describe("message actions through the client module", () => {
  it("a Connection emits update and removed live, and after a replay in seq order after the messages", async () => {
    const ann = await ClientUser.register(base, "cann");
    const ben = await ClientUser.register(base, "cben");
    const a = ann.connect();
    const b = ben.connect();
    await waitFor(() => a.state === "live" && b.state === "live", "both live");
    const sent = await a.sendAndWait(`u:${ben.user.id}`, "first draft");
    await waitFor(() => ben.messages.find((m) => m.id === sent.id), "ben gets it");
    const raw = await RawSocket.open(base, ann.token);
    await act(raw, { type: "edit", clientId: "e1", id: sent.id, text: "second draft" });
    const live = await waitFor(() => ben.of("update").find((f) => f.message.id === sent.id), "the live update");
    expect(live.message.text).toBe("second draft");
    expect(b.cursor).toBe(live.seq);
    b.close();

    // Away: a delete for everyone and a new message; a new Connection from cursor 0 replays all of it.
    await act(raw, { type: "delete", clientId: "d1", id: sent.id, for: "everyone" });
    const later = await send(raw, `u:${ben.user.id}`, "after the delete", "m2");
    const fresh = ben.connect();
    await waitFor(() => fresh.state === "live" && ben.messages.some((m) => m.id === later.id), "the replay");
    const updates = ben.of("update").filter((f) => f.message.id === sent.id);
    expect(updates.at(-1)?.message).toMatchObject({ text: "", deletedBy: ann.user.id });
    expect(updates.map((f) => f.seq)).toEqual([...updates.map((f) => f.seq)].sort((x, y) => x - y));
    // Ann deletes one for herself on another device: her Connection hears it.
    await act(raw, { type: "delete", clientId: "d2", id: later.id, for: "me" });
    const removed = await waitFor(() => ann.of("removed").find((f) => f.id === later.id), "the removal");
    expect(removed).toMatchObject({ chat: `u:${ben.user.id}`, clientId: "d2" });
    raw.close();
    fresh.close();
    a.close();
  });
  it("Connection.send with replyTo, edit and deleteMessage: answered, retried across a dropped socket, refusals rejected with their code", async () => {
    const ann = await ClientUser.register(base, "kann");
    const ben = await ClientUser.register(base, "kben");
    const a = ann.connect();
    const b = ben.connect();
    await waitFor(() => a.state === "live" && b.state === "live", "both live");
    const chat = `u:${ben.user.id}` as const;
    const first = await a.sendAndWait(chat, "question");
    const reply = await b.sendAndWait(`u:${ann.user.id}`, "answer", undefined, first.id);
    const quoted = await waitFor(() => ann.messages.find((m) => m.id === reply.id), "ann gets the reply");
    expect(quoted.replyTo).toEqual({ id: first.id, from: ann.user.id, excerpt: "question" });

    // An edit written while the socket is down goes out on the next one, and resolves once.
    a.drop("test");
    const edited = a.edit(first.id, "question, edited");
    await edited;
    await waitFor(() => ben.of("update").find((f) => f.message.id === first.id), "ben gets the edit");
    expect(ben.of("update").filter((f) => f.message.id === first.id)).toHaveLength(1);

    // Refusals reject with the server's code, and change nothing.
    await expect(a.edit(reply.id, "not mine")).rejects.toMatchObject({ code: "not_your_message" });
    await a.deleteMessage(first.id, "everyone");
    await expect(a.edit(first.id, "too late now")).rejects.toMatchObject({ code: "message_deleted" });
    const history = await ann.api.history(chat);
    expect(history.find((m) => m.id === first.id)).toMatchObject({ text: "", deletedBy: ann.user.id });
    expect(history.find((m) => m.id === reply.id)?.text).toBe("answer");
    await b.deleteMessage(reply.id, "me");
    expect((await ben.api.history(`u:${ann.user.id}`)).some((m) => m.id === reply.id)).toBe(false);
    a.close();
    b.close();
  });
});

describe("message actions on a server of their own", () => {
  let server: RunningServer | undefined;
  afterAll(async () => server?.stop());

  it("the windows: an edit after its window is too_late, a delete still works until its own window ends", async () => {
    server = await startServer({ vars: { EDIT_WINDOW_MS: "1000", DELETE_WINDOW_MS: "4000" } });
    const url = server.url;
    const [ann, ben] = await Promise.all([registerUser(url, "ann"), registerUser(url, "ben")]);
    const a = await RawSocket.open(url, ann.token);
    const old = await send(a, `u:${ben.user.id}`, "first", "m1");
    const older = await send(a, `u:${ben.user.id}`, "second", "m2");
    await new Promise((r) => setTimeout(r, 1500));
    expect(await act(a, { type: "edit", clientId: "e1", id: old.id, text: "late" })).toMatchObject({
      code: "too_late",
    });
    expect(await act(a, { type: "delete", clientId: "d1", id: old.id, for: "everyone" })).toMatchObject({
      type: "update",
    });
    await new Promise((r) => setTimeout(r, 3000));
    expect(await act(a, { type: "delete", clientId: "d2", id: older.id, for: "everyone" })).toMatchObject({
      code: "too_late",
    });
    expect((await historyWhen(url, ben, `u:${ann.user.id}`, (m) => m.length === 2)).map((m) => m.text)).toEqual([
      "",
      "second",
    ]);
    a.close();
    await server.stop();
    server = undefined;
  }, 120_000);

  it("an edit made while the recipient is away, then a SIGKILL: the recipient syncs the message then the edit, once", async () => {
    const state = newStateDir();
    server = await startServer({ persistTo: state });
    const [ann, ben] = await Promise.all([registerUser(server.url, "ann"), registerUser(server.url, "ben")]);
    const a = await RawSocket.open(server.url, ann.token);
    const sent = await send(a, `u:${ben.user.id}`, "before", "m1");
    await act(a, { type: "edit", clientId: "e1", id: sent.id, text: "after" });
    await server.kill();
    server = await startServer({ persistTo: state, port: server.port, migrate: false });
    const url = server.url;
    // The client retries the edit after the crash: same answer, no second change.
    const again = await RawSocket.open(url, ann.token);
    expect(await act(again, { type: "edit", clientId: "e1", id: sent.id, text: "after" })).toMatchObject({
      type: "update",
    });
    await historyWhen(url, ben, `u:${ann.user.id}`, (m) => m[0]?.text === "after");
    expect(await replayOf(url, ben, sent.id)).toEqual([
      ["message", "after"],
      ["update", "after"],
    ]);
    again.close();
  }, 240_000);
});
