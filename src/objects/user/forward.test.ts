// Forwarding, in the real Workers runtime: the server copies the source's
// content (never the frame's text) and counts hops from the source it can
// see; a client cannot reset the count; a forward of a message one cannot
// see, or into a chat one is not in, is refused with a code and stores nothing.

import { describe, expect, it } from "vitest";
import { FORWARDED_MANY } from "../../shared/limits";
import type { AuthAnswer, ChatId, Message } from "../../shared/protocol";
import { act, drainAlarms, mailboxHistory, sendAndWait } from "../../test/actions";
import { clearAlarms, createGroup, historyOf as groupHistory, groupStub, settle, team } from "../../test/groups";
import { connect, register, type TestSocket, userStub } from "../../test/helpers";
import { contentOf } from "./forward";

function forward(socket: TestSocket, clientId: string, to: string, from: { chat: string; id: string }, text = "x") {
  return act(socket, { type: "send", clientId, chat: to, text, forward: from });
}

describe("forwarding", { timeout: 60_000 }, () => {
  it("copies the source's content, counts hops from the source, and a client cannot reset them", async () => {
    const [alice, bob, carol] = await Promise.all([register(), register(), register()]);
    const [a, b, c] = (await Promise.all([alice, bob, carol].map((u) => connect(u.token)))) as [
      TestSocket,
      TestSocket,
      TestSocket,
    ];
    const ab: ChatId = `u:${bob.user.id}`;
    const original = await sendAndWait(a, ab, "rumour", "m1");
    await b.next("message", (f) => f.message.id === original.id);
    // Bob forwards to Carol, with other text and a hop count of his own: both ignored.
    const sent = await act(b, {
      type: "send",
      clientId: "f1",
      chat: `u:${carol.user.id}`,
      text: "not the rumour",
      forwarded: 0,
      forward: { chat: `u:${alice.user.id}`, id: original.id },
    });
    expect(sent.type).toBe("sent");
    const got = await c.next("message", (f) => f.message.from === bob.user.id);
    expect(got.message).toMatchObject({ text: "rumour", forwarded: 1 });
    expect((await mailboxHistory(bob.user.id, `u:${carol.user.id}`))[0]).toMatchObject({
      text: "rumour",
      forwarded: 1,
    });
    // Carol and Bob pass it back and forth: each hop counts, "many times" from FORWARDED_MANY on.
    let source = { chat: `u:${bob.user.id}`, id: got.message.id };
    let [sender, receiver, senderUser, receiverUser] = [c, b, carol, bob] as [
      TestSocket,
      TestSocket,
      AuthAnswer,
      AuthAnswer,
    ];
    for (let hop = 2; hop <= FORWARDED_MANY + 1; hop++) {
      const answer = await forward(sender, `hop${hop}`, `u:${receiverUser.user.id}`, source);
      expect(answer.type, JSON.stringify(answer)).toBe("sent");
      const arrived = await receiver.next("message", (f) => f.message.id === (answer as { id: string }).id);
      expect(arrived.message.forwarded).toBe(hop);
      source = { chat: `u:${senderUser.user.id}`, id: arrived.message.id };
      [sender, receiver, senderUser, receiverUser] = [receiver, sender, receiverUser, senderUser];
    }
    // The original stays unmarked.
    expect((await mailboxHistory(alice.user.id, ab))[0]?.forwarded).toBeUndefined();
    for (const u of [alice, bob, carol]) await drainAlarms(u.user.id);
    for (const s of [a, b, c]) s.close();
  });

  it("forwards a group message into a one-to-one chat and a one-to-one message into a group", async () => {
    const { users, admin, group, chat } = await team(2);
    const [u0, u1] = users as [AuthAnswer, AuthAnswer];
    const outside = await register();
    const [s0, s1] = await Promise.all([connect(u0.token), connect(u1.token)]);
    const inGroup = await sendAndWait(s1, chat, "group news", "g1");
    await settle(group.id);
    const out = await forward(s0, "f1", `u:${outside.user.id}`, { chat, id: inGroup.id });
    expect(out.type).toBe("sent");
    const [copy] = await mailboxHistory(outside.user.id, `u:${u0.user.id}`);
    expect(copy).toMatchObject({ text: "group news", forwarded: 1, from: u0.user.id });
    const direct = await sendAndWait(s0, `u:${u1.user.id}`, "private", "d1");
    await s1.next("message", (f) => f.message.id === direct.id);
    const back = await forward(s1, "f2", chat, { chat: `u:${u0.user.id}`, id: direct.id });
    expect(back.type).toBe("sent");
    await settle(group.id);
    const last = (await groupHistory(u0.user.id, chat)).at(-1);
    expect(last).toMatchObject({ text: "private", forwarded: 1, from: u1.user.id });
    for (const s of [s0, s1]) s.close();
    await drainAlarms(u0.user.id);
    await clearAlarms([group.id], [admin.user.id]);
  });

  it("unseen, deleted or system sources, other chats one is not in and replies are refused; nothing is stored", async () => {
    const { users, admin, group, chat } = await team(2);
    const [u0, u1] = users as [AuthAnswer, AuthAnswer];
    const [outsider, stranger] = await Promise.all([register(), register()]);
    const [s0, s1, so] = await Promise.all([connect(u0.token), connect(u1.token), connect(outsider.token)]);
    const other = await createGroup(outsider.token, "other", [stranger.user.id]);
    const secret = await sendAndWait(s1, chat, "members only", "g1");
    const gone = await sendAndWait(s1, chat, "deleted", "g2");
    await act(s1, { type: "delete", clientId: "del", id: gone.id, for: "everyone" });
    const direct = await sendAndWait(so, `u:${u0.user.id}`, "hello", "d1");
    const mine = await sendAndWait(s0, `u:${stranger.user.id}`, "to a stranger", "d2");
    await settle(group.id);
    const system = (await groupHistory(u0.user.id, chat)).find((m) => m.system);
    const logBefore = (await groupStub(group.id).stats()).log;
    const counts = async () =>
      Promise.all([u0, u1, outsider, stranger].map(async (u) => (await userStub(u.user.id).stats()).messages));
    const before = await counts();
    const cases: [TestSocket, string, { chat: string; id: string } | unknown, string, unknown?][] = [
      // the outsider forwards a group message it cannot see, to someone it can write to
      [so, `u:${u0.user.id}`, { chat, id: secret.id }, "unknown_message"],
      // a member forwards into a group it is not in
      [s0, `g:${other.id}`, { chat: `u:${outsider.user.id}`, id: direct.id }, "not_member"],
      // the source named in the wrong chat
      [s0, `u:${outsider.user.id}`, { chat, id: direct.id }, "unknown_message"],
      // a message of a chat of someone else
      [so, `u:${u0.user.id}`, { chat: `u:${stranger.user.id}`, id: mine.id }, "unknown_message"],
      [s0, `u:${outsider.user.id}`, { chat, id: gone.id }, "message_deleted"],
      [s0, `u:${outsider.user.id}`, { chat, id: system?.id ?? "" }, "invalid_forward"],
      [s0, `u:${outsider.user.id}`, { chat: "nope", id: direct.id }, "invalid_chat"],
      [s0, `u:${outsider.user.id}`, { chat, id: "nope" }, "invalid_field"],
      [s0, `u:${outsider.user.id}`, "not an object", "invalid_field"],
      [s0, `u:${outsider.user.id}`, { chat, id: secret.id }, "invalid_forward", secret.id],
    ];
    for (const [i, [socket, to, from, code, replyTo]] of cases.entries()) {
      const frame = { type: "send", clientId: `bad${i}`, chat: to, text: "x", forward: from };
      const answer = await act(socket, replyTo === undefined ? frame : { ...frame, replyTo });
      expect(answer, `case ${i}`).toMatchObject({ type: "error", code, clientId: `bad${i}` });
    }
    expect(await counts()).toEqual(before);
    expect((await groupStub(group.id).stats()).log).toBe(logBefore);
    expect((await groupStub(other.id).stats()).log).toBe(1); // created
    for (const s of [s0, s1, so]) s.close();
    for (const u of [u0, outsider]) await drainAlarms(u.user.id);
    await clearAlarms([group.id, other.id], [admin.user.id]);
  });

  it("copies every content field, so fields added to messages later travel too", () => {
    const message = {
      id: "i",
      chat: "u:x",
      from: "f",
      text: "t",
      ts: 1,
      seq: 2,
      clientId: "c",
      editedAt: 3,
      reactions: [],
      forwarded: 4,
      media: { key: "k" },
    } as unknown as Message;
    expect(contentOf(message)).toEqual({ text: "t", media: { key: "k" } });
  });
});
