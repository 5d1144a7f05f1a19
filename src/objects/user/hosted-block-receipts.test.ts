// Receipts in a hosted chat whose host blocked the guest (docs/one-copy-per-chat.md,
// "Blocking in a hosted chat, as built"; ./hosted-receipts.ts, ./hosted-info.ts):
// a message sent while blocked stays on one tick, also once the host reads past
// it after an unblock. Positions pass hidden rows; receipts and message info
// must not.

import { describe, expect, it } from "vitest";
import { userStub } from "../../test/helpers";
import { hostedChat, replayedReceipts, ticks } from "../../test/hosted-receipts";

describe("receipts of a blocked guest's messages", { timeout: 30_000 }, () => {
  it("none, live, on sync or in message info, when the host reads past them after an unblock", async () => {
    const { host, guest, chat, hostChat, g, h, end } = await hostedChat(0);
    const stub = userStub(host.user.id);
    expect((await stub.block(guest.user.id)).ok).toBe(true);
    const blocked: string[] = [];
    for (const clientId of ["b1", "b2"]) {
      g.send({ type: "send", clientId, chat, text: `blocked ${clientId}` });
      blocked.push((await g.next("sent", (f) => f.clientId === clientId)).id);
    }
    await stub.unblock(guest.user.id);
    g.send({ type: "send", clientId: "s1", chat, text: "after the unblock" });
    const shown = (await g.next("sent", (f) => f.clientId === "s1")).id;
    await h.next("message", (f) => f.message.id === shown);
    // The host's device acknowledges and reads what it has: its position passes the hidden rows. The first
    // batch after a wake also hands over what the guest lacks below the position (read from the rows).
    h.send({ type: "received", ids: [shown] });
    h.send({ type: "read", chat: hostChat, upTo: shown });
    await g.until((s) => ticks(s, "read").includes(shown));
    await new Promise((r) => setTimeout(r, 700));
    const ticked = [...ticks(g, "delivered"), ...ticks(g, "read")];
    expect(ticked.filter((id) => blocked.includes(id))).toEqual([]);
    const replayed = (await replayedReceipts(guest.token)).flatMap((r) => r.ids);
    expect(replayed).toContain(shown);
    expect(replayed.filter((id) => blocked.includes(id))).toEqual([]);
    // Message info: no mark on what was sent while blocked; read on what came after.
    for (const id of blocked) {
      const info = await userStub(guest.user.id).receiptsOf(chat, id);
      expect(info.ok && info.value.marks).toEqual([]);
    }
    const after = await userStub(guest.user.id).receiptsOf(chat, shown);
    expect(after.ok && after.value.marks).toEqual([
      { user: host.user.id, deliveredAt: expect.any(Number), readAt: expect.any(Number) },
    ]);
    // The host's view: the hidden rows stay hidden, nothing unread.
    expect((await stub.history(hostChat, undefined, 50)).map((m) => m.id)).toEqual([shown]);
    expect((await stub.chats())[0]).toMatchObject({ chat: hostChat, unread: 0 });
    await end();
  });
});
