// Reactions and forwarding over real sockets against `wrangler dev`: a
// reaction reaches the other side live, is replaced in place, and a device
// that syncs later gets the final state; in a group every member sees who
// reacted with what, an outsider is refused; a forward carries the source's
// text and a hop count the server computed; refusals store nothing.

import { describe, expect, inject, it } from "vitest";
import type { AuthAnswer, Group, Message } from "../../src/shared/protocol";
import { act } from "../support/act";
import { http, RawSocket, registerUser } from "../support/raw-socket";
import { waitFor } from "../support/wait";

const base = inject("baseUrl");

async function history(reader: AuthAnswer, chat: string): Promise<Message[]> {
  const res = await http<{ messages: Message[] }>(base, `/api/chats/${chat}/messages?limit=100`, {
    token: reader.token,
  });
  if (res.status !== 200) throw new Error(`history ${res.status}`);
  return res.body.messages;
}

describe("reactions and forwarding end to end", () => {
  it("one-to-one: live, replaced, removed; a device that syncs later gets the final state, never an intermediate one", async () => {
    const [ann, ben] = await Promise.all([registerUser(base, "rann"), registerUser(base, "rben")]);
    const [a, b] = await Promise.all([RawSocket.open(base, ann.token), RawSocket.open(base, ben.token)]);
    const sent = await act(a, { type: "send", clientId: "m1", chat: `u:${ben.user.id}`, text: "movie?" });
    if (sent.type !== "sent") throw new Error(JSON.stringify(sent));
    await b.next("message", (f) => f.message.id === sent.id);
    for (const [i, emoji] of ["👍", "😂", "🍿"].entries()) {
      expect(await act(b, { type: "react", clientId: `r${i}`, id: sent.id, emoji })).toMatchObject({
        type: "update",
        message: { reactions: [{ from: ben.user.id, emoji }] },
      });
      await a.next("update", (f) => f.message.reactions?.[0]?.emoji === emoji);
    }
    await act(a, { type: "react", clientId: "r9", id: sent.id, emoji: "❤️" });
    await waitFor(async () => (await history(ben, `u:${ann.user.id}`))[0]?.reactions?.length === 2, "both");
    expect((await history(ann, `u:${ben.user.id}`))[0]?.reactions).toEqual([
      { from: ben.user.id, emoji: "🍿" },
      { from: ann.user.id, emoji: "❤️" },
    ]);
    // A new device of Ben's: the message, then its updates, each with the final state: one with two
    // copies (one reaction entry, moved), one per reaction in a chat stored once at its host, as in a
    // group (docs/protocol.md, "Reactions").
    const later = await RawSocket.open(base, ben.token);
    await later.sync(0);
    const frames = later.frames.flatMap((f) =>
      typeof f !== "string" && (f.type === "message" || f.type === "update") ? [f] : [],
    );
    expect(frames[0]?.type).toBe("message");
    expect(frames.length).toBeGreaterThan(1);
    for (const f of frames.slice(1)) {
      expect(f.type).toBe("update");
      expect(f.message.reactions?.map((r) => r.emoji)).toEqual(["🍿", "❤️"]);
    }
    // Removed: gone on both sides.
    await act(b, { type: "react", clientId: "r10", id: sent.id, emoji: null });
    await a.next("update", (f) => f.message.reactions?.length === 1);
    expect((await history(ann, `u:${ben.user.id}`))[0]?.reactions).toEqual([{ from: ann.user.id, emoji: "❤️" }]);
    for (const s of [a, b, later]) s.close();
  });

  it("groups: members see who reacted with what; outsiders and bad emoji are refused, nothing stored", async () => {
    const [ann, ben, cat] = (await Promise.all(["gann", "gben", "gcat"].map((p) => registerUser(base, p)))) as [
      AuthAnswer,
      AuthAnswer,
      AuthAnswer,
    ];
    const created = await http<Group>(base, "/api/groups", {
      method: "POST",
      token: ann.token,
      body: { name: "e2e reactions", members: [ben.user.id] },
    });
    expect(created.status).toBe(201);
    const chat = `g:${created.body.id}`;
    const [a, b, c] = await Promise.all([ann, ben, cat].map((u) => RawSocket.open(base, u.token)));
    const [sa, sb, sc] = [a, b, c] as [RawSocket, RawSocket, RawSocket];
    const sent = await act(sa, { type: "send", clientId: "g1", chat, text: "vote" });
    if (sent.type !== "sent") throw new Error(JSON.stringify(sent));
    await sb.next("message", (f) => f.message.id === sent.id);
    await act(sb, { type: "react", clientId: "gr1", id: sent.id, emoji: "✅" });
    await act(sa, { type: "react", clientId: "gr2", id: sent.id, emoji: "❌" });
    const final = [
      { from: ben.user.id, emoji: "✅" },
      { from: ann.user.id, emoji: "❌" },
    ];
    await sb.next("update", (f) => f.message.reactions?.length === 2);
    for (const reader of [ann, ben]) expect((await history(reader, chat)).at(-1)?.reactions).toEqual(final);

    const refused: [RawSocket, Record<string, unknown>, string][] = [
      [sc, { id: sent.id, emoji: "👍" }, "unknown_message"],
      [sb, { id: sent.id, emoji: "yes" }, "invalid_emoji"],
      [sb, { id: sent.id, emoji: "👍👎" }, "invalid_emoji"],
      [sb, { id: "nope", emoji: "👍" }, "invalid_field"],
    ];
    for (const [i, [socket, fields, code]] of refused.entries()) {
      expect(await act(socket, { type: "react", clientId: `bad${i}`, ...fields })).toMatchObject({
        type: "error",
        code,
      });
    }
    expect((await history(ann, chat)).at(-1)?.reactions).toEqual(final);
    for (const s of [sa, sb, sc]) s.close();
  });

  it("forwarding: the source's text and a server-counted hop; unseen sources and foreign groups refused", async () => {
    const [ann, ben, cat] = (await Promise.all(["fann", "fben", "fcat"].map((p) => registerUser(base, p)))) as [
      AuthAnswer,
      AuthAnswer,
      AuthAnswer,
    ];
    const group = await http<Group>(base, "/api/groups", {
      method: "POST",
      token: ben.token,
      body: { name: "e2e forwards", members: [cat.user.id] },
    });
    const theirs = `g:${group.body.id}`;
    const [a, b] = await Promise.all([RawSocket.open(base, ann.token), RawSocket.open(base, ben.token)]);
    const secret = await act(b, { type: "send", clientId: "s1", chat: theirs, text: "group secret" });
    const sent = await act(a, { type: "send", clientId: "m1", chat: `u:${ben.user.id}`, text: "gossip" });
    if (sent.type !== "sent" || secret.type !== "sent") throw new Error("send failed");
    await b.next("message", (f) => f.message.id === sent.id);
    // Ben forwards Ann's message into his group, with a text of his own that is ignored.
    const forwarded = await act(b, {
      type: "send",
      clientId: "f1",
      chat: theirs,
      text: "ignored",
      forward: { chat: `u:${ann.user.id}`, id: sent.id },
    });
    expect(forwarded.type).toBe("sent");
    const inGroup = (await history(cat, theirs)).at(-1);
    expect(inGroup).toMatchObject({ text: "gossip", forwarded: 1, from: ben.user.id });

    const before = await history(ann, `u:${ben.user.id}`);
    const refused: [Record<string, unknown>, string][] = [
      // a message of a group Ann was never in: as unknown as any (nothing says the group exists)
      [{ chat: `u:${ben.user.id}`, forward: { chat: theirs, id: secret.id } }, "unknown_message"],
      // into a group Ann is not in
      [{ chat: theirs, forward: { chat: `u:${ben.user.id}`, id: sent.id } }, "not_member"],
      [{ chat: `u:${ben.user.id}`, forward: { chat: `u:${cat.user.id}`, id: sent.id } }, "unknown_message"],
    ];
    for (const [i, [fields, code]] of refused.entries()) {
      const answer = await act(a, { type: "send", clientId: `bad${i}`, text: "x", ...fields });
      expect(answer, `case ${i}`).toMatchObject({ type: "error", code });
    }
    expect(await history(ann, `u:${ben.user.id}`)).toEqual(before);
    expect((await history(cat, theirs)).map((m) => m.text)).toEqual(["e2e forwards", "group secret", "gossip"]);
    a.close();
    b.close();
  });
});
