// Reactions in one-to-one chats, in the real Workers runtime: one row per
// person per message in each mailbox, replaced in place; live on every device;
// a device that was away replays the final state once; every refused
// reaction leaves both mailboxes as they were.

import { describe, expect, it } from "vitest";
import type { ChatId } from "../../shared/protocol";
import { act, closeAll, drainAlarms, mailboxHistory, pair, replay, rows, sendAndWait } from "../../test/actions";
import { register, userStub } from "../../test/helpers";
import { hostOf } from "../../test/one-copy";

async function reactionRows(userId: string) {
  return rows<{ target: string; user_id: string; emoji: string }>(
    userId,
    "SELECT target, user_id, emoji FROM reactions ORDER BY user_id",
  );
}

async function reactEntries(userId: string) {
  return rows<{ seq: number; target: string }>(userId, "SELECT seq, target FROM changes WHERE kind = 'react'");
}

/** A hosted chat's reactions at its host: an entry of the log each (kind `reacted`, user/reactions.ts). */
async function reactionEntries(userId: string) {
  return rows<{ seq: number; target: string }>(userId, "SELECT seq, target FROM changes WHERE kind = 'reacted'");
}

describe("one-to-one reactions", { timeout: 30_000 }, () => {
  it("a reaction is shown on both sides, replaced in place and removed by null, one row per person", async () => {
    const { alice, bob, a, b, toBob, toAlice } = await pair();
    const sent = await sendAndWait(a, toBob, "lunch?", "m1");
    await b.next("message", (f) => f.message.id === sent.id);

    const first = await act(b, { type: "react", clientId: "r1", id: sent.id, emoji: "👍" });
    expect(first).toMatchObject({
      type: "update",
      clientId: "r1",
      message: { id: sent.id, chat: toAlice, reactions: [{ from: bob.user.id, emoji: "👍" }] },
    });
    const live = await a.next("update", (f) => f.message.id === sent.id);
    expect(live.message).toMatchObject({
      chat: toBob,
      text: "lunch?",
      reactions: [{ from: bob.user.id, emoji: "👍" }],
    });
    expect(live.clientId).toBeUndefined();

    // Alice reacts to her own message too, then Bob changes his: still one row each.
    await act(a, { type: "react", clientId: "r2", id: sent.id, emoji: "😂" });
    await act(b, { type: "react", clientId: "r3", id: sent.id, emoji: "❤️" });
    await a.until((s) => s.of("update").filter((f) => f.message.id === sent.id).length >= 3);
    const both = [
      { from: alice.user.id, emoji: "😂" },
      { from: bob.user.id, emoji: "❤️" },
    ];
    // A hosted chat (alice its guest) stores the message and its reactions once, at the host, one
    // log entry per reaction (docs/one-copy-per-chat.md); otherwise each mailbox has its own.
    const host = await hostOf(alice.user.id, bob.user.id);
    for (const [user, chat] of [
      [alice.user.id, toBob],
      [bob.user.id, toAlice],
    ] as const) {
      const [message] = await mailboxHistory(user, chat);
      expect(message?.reactions).toEqual(both);
      const stores = host === null || host === user;
      expect(await reactionRows(user)).toHaveLength(stores ? 2 : 0);
      expect(await reactEntries(user)).toHaveLength(host === null ? 1 : 0);
      expect(await reactionEntries(user)).toHaveLength(host === user ? 3 : 0);
    }

    // Removed: the message has no reactions of Bob's; the row stays as '' (see reactions.ts).
    const removed = await act(b, { type: "react", clientId: "r4", id: sent.id, emoji: null });
    expect(removed).toMatchObject({ type: "update", message: { reactions: [{ from: alice.user.id, emoji: "😂" }] } });
    await a.until((s) => s.of("update").some((f) => f.message.reactions?.length === 1));
    expect((await mailboxHistory(alice.user.id, toBob))[0]?.reactions).toEqual([{ from: alice.user.id, emoji: "😂" }]);

    // A device that was away: the message, then its final state (never a step between). Once, from
    // the one entry moved; in a hosted chat from each of its four log entries, as in a group.
    const frames = await replay(alice.token);
    const updates = Array.from({ length: host === null ? 1 : 4 }, () => "update");
    expect(frames.map((f) => (typeof f === "string" ? f : f.type))).toEqual(["message", ...updates]);
    for (const frame of frames.slice(1)) {
      expect(frame).toMatchObject({ message: { reactions: [{ from: alice.user.id, emoji: "😂" }] } });
    }

    await drainAlarms(alice.user.id);
    await drainAlarms(bob.user.id);
    closeAll(a, b);
  });

  it("a retried react frame gets its first answer and writes nothing", async () => {
    const { alice, bob, a, b, toBob } = await pair();
    const sent = await sendAndWait(a, toBob, "hi", "m1");
    await b.next("message", (f) => f.message.id === sent.id);
    const first = await act(b, { type: "react", clientId: "same", id: sent.id, emoji: "🎉" });
    b.frames.length = 0;
    const again = await act(b, { type: "react", clientId: "same", id: sent.id, emoji: "🎉" });
    expect(again).toEqual(first);
    // One change row at bob: its reaction (a log entry of its own where bob hosts the chat).
    const entries = [...(await reactEntries(bob.user.id)), ...(await reactionEntries(bob.user.id))];
    expect(entries).toEqual([{ seq: (first as { seq: number }).seq, target: sent.id }]);
    await drainAlarms(alice.user.id);
    await drainAlarms(bob.user.id);
    closeAll(a, b);
  });

  it("bad emoji, messages one cannot see and deleted messages are refused with a code; nothing is stored", async () => {
    const { alice, bob, a, b, toBob, toAlice } = await pair();
    const carol = await register();
    const mine = await sendAndWait(a, toBob, "visible", "m1");
    const hidden = await sendAndWait(a, `u:${carol.user.id}`, "to carol only", "m2");
    const gone = await sendAndWait(a, toBob, "soon gone", "m3");
    await act(a, { type: "delete", clientId: "d1", id: gone.id, for: "everyone" });
    await b.until((s) => s.of("update").some((f) => f.message.id === gone.id));
    const before = (await userStub(bob.user.id).stats()).seq;
    const cases: [unknown, unknown, string][] = [
      [mine.id, "ab", "invalid_emoji"],
      [mine.id, "👍👍", "invalid_emoji"],
      [mine.id, "", "invalid_emoji"],
      [mine.id, "1", "invalid_emoji"],
      [mine.id, "👍 ", "invalid_emoji"],
      [mine.id, 42, "invalid_emoji"],
      [mine.id, "👍".repeat(20), "invalid_emoji"],
      [mine.id, undefined, "invalid_emoji"],
      ["not-an-id", "👍", "invalid_field"],
      [hidden.id, "👍", "unknown_message"],
      [`${"0".repeat(13)}${alice.user.id}`, "👍", "unknown_message"],
      [gone.id, "👍", "message_deleted"],
    ];
    for (const [i, [id, emoji, code]] of cases.entries()) {
      const frame = { type: "react", clientId: `bad${i}`, id, ...(emoji === undefined ? {} : { emoji }) };
      expect(await act(b, frame), JSON.stringify(emoji)).toMatchObject({ type: "error", code, clientId: `bad${i}` });
    }
    for (const user of [alice.user.id, bob.user.id, carol.user.id]) {
      expect(await reactionRows(user)).toEqual([]);
      expect(await reactEntries(user)).toEqual([]);
    }
    expect((await userStub(bob.user.id).stats()).seq).toBe(before);
    expect((await mailboxHistory(bob.user.id, toAlice)).every((m) => m.reactions === undefined)).toBe(true);
    await drainAlarms(alice.user.id);
    await drainAlarms(bob.user.id);
    closeAll(a, b);
  });

  it("blocking: a blocked person's reaction never arrives; reacting to someone one blocked is refused", async () => {
    const { alice, bob, a, b, toBob, toAlice } = await pair();
    const fromBob = await sendAndWait(b, toAlice, "from bob", "m1");
    const fromAlice = await sendAndWait(a, toBob, "from alice", "m2");
    await b.next("message", (f) => f.message.id === fromAlice.id);
    await a.next("message", (f) => f.message.id === fromBob.id);
    expect((await userStub(bob.user.id).block(alice.user.id)).ok).toBe(true);
    // Alice's object stores and answers as always; Bob's drops it (docs/actions.md, Blocking).
    expect(await act(a, { type: "react", clientId: "r1", id: fromBob.id, emoji: "😡" })).toMatchObject({
      type: "update",
    });
    await drainAlarms(alice.user.id);
    expect(await reactionRows(bob.user.id)).toEqual([]);
    expect(await act(b, { type: "react", clientId: "r2", id: fromAlice.id, emoji: "👍" })).toMatchObject({
      type: "error",
      code: "blocked",
    });
    expect(await reactionRows(bob.user.id)).toEqual([]);
    expect((await reactionRows(alice.user.id)).map((r) => r.user_id)).toEqual([alice.user.id]);
    await drainAlarms(bob.user.id);
    closeAll(a, b);
  });

  it("flags, keycaps, skin tones and ZWJ sequences are one emoji each", async () => {
    const { alice, bob, a, b, toBob } = await pair();
    const sent = await sendAndWait(a, toBob, "emoji", "m1");
    await b.next("message", (f) => f.message.id === sent.id);
    for (const [i, emoji] of ["🇫🇷", "1️⃣", "👍🏽", "👩‍👩‍👧", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "❤️"].entries()) {
      expect(await act(b, { type: "react", clientId: `ok${i}`, id: sent.id, emoji })).toMatchObject({
        type: "update",
        message: { reactions: [{ from: bob.user.id, emoji }] },
      });
    }
    await drainAlarms(alice.user.id);
    await drainAlarms(bob.user.id);
    closeAll(a, b);
  });

  it("a reaction that arrives before its message waits for it; an older one delivered late changes nothing", async () => {
    const alice = await register();
    const bob = await register();
    const id = `${Date.now().toString(36).padStart(9, "0")}0000${alice.user.id}`;
    const chat: ChatId = `u:${alice.user.id}`;
    const reaction = (cid: string, emoji: string) =>
      ({ kind: "reaction", cid, chat, id, from: alice.user.id, emoji }) as const;
    const stub = userStub(bob.user.id);
    await stub.accept([reaction(`${id}b`, "🔥")]);
    expect(await reactionRows(bob.user.id)).toEqual([]);
    await stub.accept([{ kind: "message", id, chat, from: alice.user.id, text: "late", ts: Date.now() }]);
    await stub.accept([reaction(`${id}a`, "👎")]); // older (by cid) than the one applied
    const [message] = await mailboxHistory(bob.user.id, chat);
    expect(message?.reactions).toEqual([{ from: alice.user.id, emoji: "🔥" }]);
    expect(await rows(bob.user.id, "SELECT 1 FROM held_changes")).toEqual([]);
  });
});
