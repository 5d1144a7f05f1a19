// Message actions over real sockets against `wrangler dev`: replies, edits and
// deletes reach every member once, live and on sync, in order after their
// message; bad actions change nothing; an edit and a delete at once end
// deleted; an edit made while the group's fan-out is still running arrives
// after the message, once. Through the client module: ./actions-client.test.ts;
// the windows and a SIGKILL, on a server of their own: ./actions-own-server.test.ts.

import { describe, expect, inject, it } from "vitest";
import type { AuthAnswer, Group } from "../../src/shared/protocol";
import { act } from "../support/act";
import { history, historyWhen, replayOf, send } from "../support/message-actions";
import { http, RawSocket, registerUser } from "../support/raw-socket";

const base = inject("baseUrl");

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
