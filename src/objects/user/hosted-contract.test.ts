// Promises of the contract (docs/protocol.md) kept in a hosted one-to-one chat
// (docs/one-copy-per-chat.md), where the guest stores no message row: last
// seen's "contacts", a reply quoting another chat refused as one, and quotes of
// a deleted message empty on a fresh device's sync. Each fails without its fix.

import { describe, expect, it } from "vitest";
import type { AuthAnswer, ChatId } from "../../shared/protocol";
import { act, drainAlarms, replay, rows, sendAndWait } from "../../test/actions";
import { clearAlarms } from "../../test/groups";
import { api, connect, register, userStub } from "../../test/helpers";
import { hostAndGuest, hostedSendOn } from "../../test/hosted";
import { presenceOf } from "../../test/presence-helpers";

describe("a hosted chat keeps the contract", { timeout: 30_000 }, () => {
  it("the guest's send makes its host a contact for last seen", async () => {
    const { host, guest } = await hostAndGuest();
    await hostedSendOn(guest.user.id);
    const patch = await api("/api/me", {
      method: "PATCH",
      token: guest.token,
      body: { lastSeenVisibility: "contacts" },
    });
    expect(patch.status).toBe(200);
    const g = await connect(guest.token);
    expect(await presenceOf(guest.user.id, host.token)).toEqual({ online: false, lastSeen: null });
    await sendAndWait(g, `u:${host.user.id}`, "hello host", "c1");
    expect(await rows(guest.user.id, "SELECT count(*) AS n FROM messages")).toEqual([{ n: 0 }]); // hosted
    expect(await rows(guest.user.id, "SELECT user_id FROM contacts")).toEqual([{ user_id: host.user.id }]);
    expect((await presenceOf(guest.user.id, host.token)).online).toBe(true);
    g.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  });

  it("a reply quoting a message of another chat is invalid_reply, whether a row or another host's entry", async () => {
    // Sorted ids: the last user is the guest of both others.
    const users = [await register(), await register(), await register()].sort((x, y) =>
      x.user.id < y.user.id ? -1 : 1,
    );
    const [first, second, guest] = users as [AuthAnswer, AuthAnswer, AuthAnswer];
    const s = await connect(second.token);
    const g = await connect(guest.token);
    // A copy in the guest's mailbox (before its switch), then an entry of second's log (after it).
    const copy = await sendAndWait(s, `u:${guest.user.id}`, "a copy", "s1");
    await g.next("message", (f) => f.message.id === copy.id);
    await hostedSendOn(guest.user.id);
    const entry = await sendAndWait(g, `u:${second.user.id}`, "hosted at second", "g1");
    const toFirst: ChatId = `u:${first.user.id}`;
    for (const [i, replyTo] of [copy.id, entry.id].entries()) {
      const answer = await act(g, { type: "send", clientId: `r${i}`, chat: toFirst, text: "x", replyTo });
      expect(answer).toMatchObject({ type: "error", code: "invalid_reply", clientId: `r${i}` });
    }
    const unknown = `${"0".repeat(13)}${first.user.id}`;
    expect(await act(g, { type: "send", clientId: "r2", chat: toFirst, text: "x", replyTo: unknown })).toMatchObject({
      code: "unknown_message",
    });
    // Nothing stored for the chat with first, on either side.
    expect((await userStub(first.user.id).stats()).messages).toBe(0);
    expect(await userStub(guest.user.id).history(toFirst, undefined, 10)).toEqual([]);
    s.close();
    g.close();
    await drainAlarms(second.user.id);
    await clearAlarms([], [first.user.id, second.user.id, guest.user.id]);
  });

  it("a deleted message's text survives in no quote of a fresh device's sync, a copy's or an entry's", async () => {
    const { host, guest } = await hostAndGuest();
    await hostedSendOn(guest.user.id);
    const [h, g] = [await connect(host.token), await connect(guest.token)];
    const toHost: ChatId = `u:${host.user.id}`;
    const toGuest: ChatId = `u:${guest.user.id}`;
    // The host's message from before hosting (a copy at the guest), and the guest's reply, the first hosted.
    const old = await sendAndWait(h, toGuest, "secret copy", "h1");
    await g.next("message", (f) => f.message.id === old.id);
    const reply1 = await sendAndWait(g, toHost, "re copy", "g1", old.id);
    // The guest's hosted message, and the host's reply to it (an entry at the guest).
    const mine = await sendAndWait(g, toHost, "secret entry", "g2");
    const reply2 = await sendAndWait(h, toGuest, "re entry", "h2", mine.id);
    await g.next("message", (f) => f.message.id === reply2.id);
    expect(await act(h, { type: "delete", clientId: "d1", id: old.id, for: "everyone" })).toMatchObject({
      type: "update",
    });
    expect(await act(g, { type: "delete", clientId: "d2", id: mine.id, for: "everyone" })).toMatchObject({
      type: "update",
    });
    await g.next("update", (f) => f.message.id === old.id);
    const frames = await replay(guest.token);
    expect(JSON.stringify(frames)).not.toContain("secret");
    const quotes = frames.flatMap((f) => (f.type === "message" && f.message.replyTo ? [f.message.replyTo] : []));
    expect(quotes).toEqual([
      { id: old.id, from: host.user.id, excerpt: "", deleted: true },
      { id: mine.id, from: guest.user.id, excerpt: "", deleted: true },
    ]);
    expect(frames.filter((f) => f.type === "message").map((f) => f.type === "message" && f.message.id)).toEqual([
      old.id,
      reply1.id,
      mine.id,
      reply2.id,
    ]);
    h.close();
    g.close();
    await drainAlarms(host.user.id);
    await clearAlarms([], [host.user.id, guest.user.id]);
  });
});
