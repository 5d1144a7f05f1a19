// Edits and deletes in one-to-one chats (./actions.ts), in the real Workers
// runtime: what every device sees live, what history and sync show after, and
// every refused action leaving both mailboxes as they were. Replies are in
// ./quotes.test.ts, the search index following them in ./search-triggers.test.ts.

import { describe, expect, it } from "vitest";
import { DELETE_WINDOW_MS, EDIT_WINDOW_MS, TEXT_MAX } from "../../shared/limits";
import { act, age, closeAll, drainAlarms, mailboxHistory, pair, replay, rows, sendAndWait } from "../../test/actions";
import { connect, userStub } from "../../test/helpers";
import { hostOf } from "../../test/one-copy";

describe("edit", () => {
  it("changes both copies, live and on sync, marked edited, after the message in seq order", async () => {
    const { alice, bob, a, b, toBob, toAlice } = await pair();
    const a2 = await connect(alice.token); // a second device of the sender
    const sent = await sendAndWait(a, toBob, "helo", "m1");
    await b.next("message", (f) => f.message.id === sent.id);
    const answer = await act(a, { type: "edit", clientId: "e1", id: sent.id, text: "hello" });
    expect(answer).toMatchObject({ type: "update", clientId: "e1", message: { id: sent.id, text: "hello" } });
    if (answer.type !== "update") throw new Error("no update");
    expect(answer.seq).toBeGreaterThan(sent.seq);
    expect(answer.message.editedAt).toBeGreaterThanOrEqual(sent.ts);
    expect(answer.message.seq).toBe(sent.seq);
    await a2.next("update", (f) => f.clientId === "e1");
    const peer = await b.next("update", (f) => f.message.id === sent.id);
    expect(peer.clientId).toBeUndefined();
    expect(peer.message).toMatchObject({ text: "hello", editedAt: answer.message.editedAt, from: alice.user.id });

    for (const [user, chat] of [
      [alice, toBob],
      [bob, toAlice],
    ] as const) {
      expect((await mailboxHistory(user.user.id, chat)).map((m) => [m.text, m.editedAt])).toEqual([
        ["hello", answer.message.editedAt],
      ]);
      // Sync: the message (current state) at its seq, then the update entry.
      const frames = await replay(user.token);
      expect(frames.map((f) => (typeof f === "string" ? f : f.type))).toEqual(["message", "update"]);
      const texts = frames.map((f) =>
        typeof f !== "string" && (f.type === "message" || f.type === "update") ? f.message.text : null,
      );
      expect(texts).toEqual(["hello", "hello"]);
    }
    await drainAlarms(alice.user.id);
    closeAll(a, a2, b);
  });

  it("resets the reader's read state: unread again, its next read sends a new read receipt", async () => {
    // Message info's read time of the peer (from the receipts log, schema step 7).
    const readAt = async (sender: string, chat: string, id: string) => {
      const info = await userStub(sender).receiptsOf(chat, id);
      if (!info.ok) throw new Error(info.error.code);
      return info.value.marks[0]?.readAt ?? null;
    };
    const { alice, bob, a, b, toBob, toAlice } = await pair();
    const sent = await sendAndWait(a, toBob, "v1", "m1");
    await b.next("message", (f) => f.message.id === sent.id);
    b.send({ type: "read", chat: toAlice, upTo: sent.id });
    await a.next("receipt", (f) => f.status === "read");
    expect(await readAt(alice.user.id, toBob, sent.id)).not.toBe(null);
    await act(a, { type: "edit", clientId: "e1", id: sent.id, text: "v2" });
    await b.next("update", (f) => f.message.id === sent.id);
    expect((await userStub(bob.user.id).chats())[0]?.unread).toBe(1);
    expect(await readAt(alice.user.id, toBob, sent.id)).toBe(null);
    b.send({ type: "read", chat: toAlice, upTo: sent.id });
    await a.until((s) => s.of("receipt").filter((f) => f.status === "read").length === 2);
    expect((await userStub(bob.user.id).chats())[0]?.unread).toBe(0);
    expect(await readAt(alice.user.id, toBob, sent.id)).not.toBe(null);
    await drainAlarms(alice.user.id);
    await drainAlarms(bob.user.id);
    closeAll(a, b);
  });

  it("a retried edit (same clientId) gets the first answer and changes nothing more", async () => {
    const { alice, bob, a, toBob } = await pair();
    const sent = await sendAndWait(a, toBob, "v1", "m1");
    const first = await act(a, { type: "edit", clientId: "e1", id: sent.id, text: "v2" });
    a.send({ type: "edit", clientId: "e1", id: sent.id, text: "v3" });
    await a.until((s) => s.of("update").filter((f) => f.clientId === "e1").length === 2);
    expect(a.of("update").filter((f) => f.clientId === "e1")).toEqual([first, first]);
    expect((await mailboxHistory(alice.user.id, toBob))[0]?.text).toBe("v2");
    // One change row in each mailbox; in a hosted chat (alice its guest) at the host only.
    const hosted = (await hostOf(alice.user.id, bob.user.id)) !== null;
    expect(await rows(alice.user.id, "SELECT kind FROM changes")).toEqual(hosted ? [] : [{ kind: "update" }]);
    await drainAlarms(alice.user.id);
    expect(await rows(bob.user.id, "SELECT kind FROM changes")).toEqual([{ kind: "update" }]);
    closeAll(a);
  });

  it("refuses someone else's message, a late edit, an unknown id and bad frames, changing nothing", async () => {
    const { alice, bob, a, b, toBob } = await pair();
    const mine = await sendAndWait(a, toBob, "original", "m1");
    const theirs = await sendAndWait(b, `u:${alice.user.id}`, "bob's", "m2");
    await a.next("message", (f) => f.message.id === theirs.id);
    const late = await sendAndWait(a, toBob, "old news", "m3");
    await age([alice.user.id, bob.user.id], late.id, EDIT_WINDOW_MS + 1000);
    const cases: [Record<string, unknown>, string][] = [
      [{ id: theirs.id, text: "mine now" }, "not_your_message"],
      [{ id: late.id, text: "too late" }, "too_late"],
      [{ id: `${"0".repeat(13)}${alice.user.id}`, text: "x" }, "unknown_message"],
      [{ id: mine.id, text: "" }, "invalid_field"],
      [{ id: mine.id, text: "x".repeat(TEXT_MAX + 1) }, "text_too_long"],
      [{ id: mine.id }, "invalid_field"],
      [{ id: "nope", text: "x" }, "invalid_field"],
    ];
    for (const [i, [fields, code]] of cases.entries()) {
      expect(await act(a, { type: "edit", clientId: `x${i}`, ...fields })).toMatchObject({
        type: "error",
        code,
        clientId: `x${i}`,
      });
    }
    a.send({ type: "edit", id: mine.id, text: "no clientId" });
    expect((await a.next("error", (f) => f.clientId === undefined)).code).toBe("invalid_field");
    await drainAlarms(alice.user.id);
    await drainAlarms(bob.user.id);
    for (const user of [alice, bob]) {
      expect(await rows(user.user.id, "SELECT * FROM changes")).toEqual([]);
      const texts = (await mailboxHistory(user.user.id, user === alice ? toBob : `u:${alice.user.id}`)).map(
        (m) => m.text,
      );
      expect(texts).toEqual(["original", "bob's", "old news"]);
    }
    closeAll(a, b);
  });
});

describe("delete", () => {
  it("for everyone: a tombstone in both mailboxes and in quotes, live and on sync; then edits are refused", async () => {
    const { alice, bob, a, b, toBob, toAlice } = await pair();
    const sent = await sendAndWait(a, toBob, "secret words", "m1");
    await b.next("message", (f) => f.message.id === sent.id);
    const reply = await sendAndWait(b, toAlice, "replying", "r1", sent.id);
    await a.next("message", (f) => f.message.id === reply.id);
    const answer = await act(a, { type: "delete", clientId: "d1", id: sent.id, for: "everyone" });
    expect(answer).toMatchObject({ type: "update", message: { id: sent.id, text: "", deletedBy: alice.user.id } });
    await b.next("update", (f) => f.message.id === sent.id && f.message.deletedAt !== undefined);
    for (const [user, chat] of [
      [alice, toBob],
      [bob, toAlice],
    ] as const) {
      const history = await mailboxHistory(user.user.id, chat);
      expect(history[0]).toMatchObject({ text: "", deletedBy: alice.user.id });
      expect(history[1]?.replyTo).toEqual({ id: sent.id, from: alice.user.id, excerpt: "", deleted: true });
      const stored = await rows<{ text: string; reply_excerpt: string | null }>(
        user.user.id,
        "SELECT text, reply_excerpt FROM messages",
      );
      expect(JSON.stringify(stored)).not.toContain("secret");
      const frames = await replay(user.token);
      expect(JSON.stringify(frames)).not.toContain("secret");
    }
    expect(await act(a, { type: "edit", clientId: "e1", id: sent.id, text: "back" })).toMatchObject({
      code: "message_deleted",
    });
    expect(await act(a, { type: "delete", clientId: "d2", id: sent.id, for: "everyone" })).toMatchObject({
      code: "message_deleted",
    });
    await drainAlarms(alice.user.id);
    await drainAlarms(bob.user.id);
    closeAll(a, b);
  });

  it("for everyone: someone else's message, or after 48 hours, is refused and nothing changes", async () => {
    const { alice, bob, a, b, toBob } = await pair();
    const theirs = await sendAndWait(b, `u:${alice.user.id}`, "bob's", "m1");
    await a.next("message", (f) => f.message.id === theirs.id);
    const old = await sendAndWait(a, toBob, "old", "m2");
    await age([alice.user.id, bob.user.id], old.id, DELETE_WINDOW_MS + 1000);
    expect(await act(a, { type: "delete", clientId: "d1", id: theirs.id, for: "everyone" })).toMatchObject({
      code: "not_your_message",
    });
    expect(await act(a, { type: "delete", clientId: "d2", id: old.id, for: "everyone" })).toMatchObject({
      code: "too_late",
    });
    expect(await act(a, { type: "delete", clientId: "d3", id: old.id, for: "all" })).toMatchObject({
      code: "invalid_field",
    });
    await drainAlarms(alice.user.id);
    await drainAlarms(bob.user.id);
    expect((await mailboxHistory(alice.user.id, toBob)).map((m) => m.text)).toEqual(["bob's", "old"]);
    expect((await mailboxHistory(bob.user.id, `u:${alice.user.id}`)).map((m) => m.text)).toEqual(["bob's", "old"]);
    expect(await rows(alice.user.id, "SELECT * FROM changes")).toEqual([]);
    closeAll(a, b);
  });

  it("for me: gone from my mailbox and my devices, not the peer's; a repeated delivery does not bring it back", async () => {
    const { alice, bob, a, b, toBob, toAlice } = await pair();
    const keep = await sendAndWait(b, toAlice, "keep", "m1");
    const drop = await sendAndWait(b, toAlice, "drop", "m2");
    await a.next("message", (f) => f.message.id === drop.id);
    const a2 = await connect(alice.token);
    const answer = await act(a, { type: "delete", clientId: "d1", id: drop.id, for: "me" });
    expect(answer).toMatchObject({ type: "removed", chat: toBob, id: drop.id, clientId: "d1" });
    await a2.next("removed", (f) => f.id === drop.id);
    expect((await mailboxHistory(alice.user.id, toBob)).map((m) => m.id)).toEqual([keep.id]);
    expect((await userStub(alice.user.id).chats())[0]?.lastMessage?.id).toBe(keep.id);
    expect((await mailboxHistory(bob.user.id, toAlice)).map((m) => m.text)).toEqual(["keep", "drop"]);
    // The same item delivered again (an outbox retry), and an edit of it, change nothing.
    const item = { kind: "message" as const, id: drop.id, chat: toBob, from: bob.user.id, text: "drop", ts: drop.ts };
    await userStub(alice.user.id).accept([item]);
    await act(b, { type: "edit", clientId: "e1", id: drop.id, text: "edited" });
    await drainAlarms(bob.user.id);
    expect((await mailboxHistory(alice.user.id, toBob)).map((m) => m.id)).toEqual([keep.id]);
    expect(await rows(alice.user.id, "SELECT * FROM held_changes")).toEqual([]);
    // Sync replays a `removed` for it; the message itself is not replayed.
    const frames = await replay(alice.token);
    expect(frames.map((f) => (typeof f === "string" ? f : f.type))).toEqual(["message", "removed"]);
    // Deleting the last message of a chat removes the chat from the list.
    await act(a, { type: "delete", clientId: "d2", id: keep.id, for: "me" });
    expect(await userStub(alice.user.id).chats()).toEqual([]);
    expect(await act(a, { type: "delete", clientId: "d3", id: keep.id, for: "me" })).toMatchObject({
      code: "unknown_message",
    });
    closeAll(a, a2, b);
  });
});
