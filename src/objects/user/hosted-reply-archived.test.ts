// A guest's reply in a hosted chat quoting a message of another chat that was
// moved to R2 (docs/one-copy-per-chat.md, "The guest's send, as built": a
// reply quoting another chat is refused by the guest before the call, since
// the host knows nothing of its other chats). The contract's answer is
// `invalid_reply` (docs/protocol.md), as for such a message still in SQLite
// (./hosted-contract.test.ts): whether it is a copy in the guest's own
// mailbox, archived there, or an entry of another host's log, archived at
// that host; a group's send too. Nothing is stored on either side; a reply
// in the quoted message's own chat still goes.

import { describe, expect, it } from "vitest";
import type { AuthAnswer, ChatId } from "../../shared/protocol";
import { act, drainAlarms, rows, sendAndWait } from "../../test/actions";
import { clearAlarms, createGroup, historyOf } from "../../test/groups";
import { connect, register, userStub } from "../../test/helpers";
import { hostedSendOn } from "../../test/hosted";
import { archiveAll, configureArchive, sendAll, TINY } from "../../test/mailbox-archive";

describe("a hosted reply quoting an archived message of another chat", { timeout: 60_000 }, () => {
  it("is invalid_reply, archived at the guest or at another host, and stores nothing", async () => {
    // Sorted ids: the last user is the guest of both others.
    const users = [await register(), await register(), await register()].sort((x, y) =>
      x.user.id < y.user.id ? -1 : 1,
    );
    const [first, second, guest] = users as [AuthAnswer, AuthAnswer, AuthAnswer];
    const s = await connect(second.token);
    const g = await connect(guest.token);
    const toSecond: ChatId = `u:${second.user.id}`;
    const toFirst: ChatId = `u:${first.user.id}`;
    // Copies in the guest's mailbox (second's messages before the guest's switch), then entries of second's log.
    const copies = await sendAll(s, `u:${guest.user.id}`, ["c0", "c1", "c2", "c3", "c4", "c5"]);
    await g.until((x) => x.of("message").length === copies.length);
    await hostedSendOn(guest.user.id);
    const entries = await sendAll(g, toSecond, ["e0", "e1", "e2", "e3", "e4", "e5"]);
    // Both mailboxes move their oldest pages to R2: the guest's copies, and second's log up to e3 or so.
    await configureArchive(guest.user.id, TINY);
    await configureArchive(second.user.id, TINY);
    expect(await archiveAll(guest.user.id)).toBeGreaterThan(0);
    expect(await archiveAll(second.user.id)).toBeGreaterThan(0);
    const copy = copies[0] as string;
    const entry = entries[0] as string;
    expect(await rows(guest.user.id, "SELECT 1 FROM messages WHERE id = ?", copy)).toEqual([]);
    expect(await rows(second.user.id, "SELECT 1 FROM messages WHERE id = ?", entry)).toEqual([]);

    for (const [i, replyTo] of [copy, entry].entries()) {
      const answer = await act(g, { type: "send", clientId: `r${i}`, chat: toFirst, text: "x", replyTo });
      expect(answer).toMatchObject({ type: "error", code: "invalid_reply", clientId: `r${i}` });
    }
    // Nothing stored for the chat with first, on either side.
    expect((await userStub(first.user.id).stats()).messages).toBe(0);
    expect(await userStub(guest.user.id).history(toFirst, undefined, 10)).toEqual([]);
    expect(await rows(guest.user.id, "SELECT chat FROM group_chats WHERE chat = ?", toFirst)).toEqual([]);

    // A group's send runs the same check (the group knows nothing of its members' one-to-one chats).
    const group = await createGroup(guest.token, "team", [first.user.id]);
    const inGroup = `g:${group.id}` as const;
    const before = await historyOf(guest.user.id, inGroup);
    const answer = await act(g, { type: "send", clientId: "r2", chat: inGroup, text: "x", replyTo: copy });
    expect(answer).toMatchObject({ type: "error", code: "invalid_reply", clientId: "r2" });
    expect(await historyOf(guest.user.id, inGroup)).toEqual(before);
    // In their own chat both still quote: the host makes the quote from its copy, or from its page.
    const replies = [];
    for (const [i, replyTo] of [copy, entry].entries()) {
      replies.push(await sendAndWait(g, toSecond, `re ${i}`, `q${i}`, replyTo));
    }
    const history = await userStub(second.user.id).history(`u:${guest.user.id}`, undefined, 50);
    const quoted = replies.map((r) => history.find((m) => m.id === r.id)?.replyTo?.id);
    expect(quoted).toEqual([copy, entry]);
    s.close();
    g.close();
    await drainAlarms(second.user.id);
    await clearAlarms([group.id], [first.user.id, second.user.id, guest.user.id]);
  });
});
