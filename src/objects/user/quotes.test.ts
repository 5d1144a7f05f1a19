// Replies in one-to-one chats (./quotes.ts), in the real Workers runtime: the
// quote every device sees live and history shows, a quote of a deleted
// message, and every refused reply leaving both mailboxes as they were.
// Edits and deletes are in ./actions.test.ts.

import { describe, expect, it } from "vitest";
import { QUOTE_EXCERPT_MAX } from "../../shared/limits";
import { act, closeAll, drainAlarms, mailboxHistory, pair, sendAndWait } from "../../test/actions";
import { register, userStub } from "../../test/helpers";

describe("reply", () => {
  it("a reply carries the quoted id, sender and excerpt to both sides, live and in history", async () => {
    const { alice, bob, a, b, toBob, toAlice } = await pair();
    const long = "q".repeat(QUOTE_EXCERPT_MAX + 50);
    const first = await sendAndWait(a, toBob, long, "m1");
    await b.next("message", (f) => f.message.id === first.id);
    b.send({ type: "send", clientId: "r1", chat: toAlice, text: "answer", replyTo: first.id });
    const sent = await b.next("sent", (f) => f.clientId === "r1");
    const quote = { id: first.id, from: alice.user.id, excerpt: "q".repeat(QUOTE_EXCERPT_MAX) };
    const live = await a.next("message", (f) => f.message.id === sent.id);
    expect(live.message.replyTo).toEqual(quote);
    expect((await mailboxHistory(alice.user.id, toBob)).at(-1)?.replyTo).toEqual(quote);
    expect((await mailboxHistory(bob.user.id, toAlice)).at(-1)?.replyTo).toEqual(quote);
    await drainAlarms(alice.user.id);
    await drainAlarms(bob.user.id);
    closeAll(a, b);
  });

  it("quoting an unknown message, or one of another chat, is refused and stores nothing", async () => {
    const { alice, bob, a, toBob } = await pair();
    const carol = await register();
    const other = await sendAndWait(a, `u:${carol.user.id}`, "to carol", "c1");
    const unknown = `${"0".repeat(13)}${alice.user.id}`;
    const cases: [unknown, string][] = [
      [unknown, "unknown_message"],
      [other.id, "invalid_reply"],
      ["not-an-id", "invalid_field"],
      [42, "invalid_field"],
    ];
    for (const [i, [replyTo, code]] of cases.entries()) {
      const answer = await act(a, { type: "send", clientId: `bad${i}`, chat: toBob, text: "x", replyTo });
      expect(answer).toMatchObject({ type: "error", code, clientId: `bad${i}` });
    }
    expect(await mailboxHistory(alice.user.id, toBob)).toEqual([]);
    expect((await userStub(alice.user.id).stats()).messages).toBe(1);
    expect((await userStub(bob.user.id).stats()).messages).toBe(0);
    await drainAlarms(alice.user.id);
    closeAll(a);
  });

  it("a reply to a deleted message is stored with the quote marked deleted", async () => {
    const { alice, bob, a, b, toBob, toAlice } = await pair();
    const first = await sendAndWait(a, toBob, "regret", "m1");
    await b.next("message", (f) => f.message.id === first.id);
    expect(await act(a, { type: "delete", clientId: "d1", id: first.id, for: "everyone" })).toMatchObject({
      type: "update",
    });
    await b.next("update", (f) => f.message.id === first.id);
    const reply = await sendAndWait(b, toAlice, "what was that?", "r1", first.id);
    const seen = await a.next("message", (f) => f.message.id === reply.id);
    const deleted = { id: first.id, from: alice.user.id, excerpt: "", deleted: true };
    expect(seen.message.replyTo).toEqual(deleted);
    expect((await mailboxHistory(bob.user.id, toAlice)).at(-1)?.replyTo).toEqual(deleted);
    await drainAlarms(alice.user.id);
    await drainAlarms(bob.user.id);
    closeAll(a, b);
  });
});
