// The host's receipts of its guest's hosted messages, as positions
// (./hosted-receipts.ts, ./hosted-acks.ts, ./hosted-info.ts;
// docs/one-copy-per-chat.md "Step 3, as built"): ticks on the guest's
// devices, replayed once by its sync, message info from positions, no
// outbox row, and the refusals with the state after them.

import { afterEach, describe, expect, it, vi } from "vitest";
import type { ChatId } from "../../shared/protocol";
import { receiptRows, rows } from "../../test/actions";
import { userStub } from "../../test/helpers";
import { hostedChat, replayedReceipts, ticks } from "../../test/hosted-receipts";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the host's receipts of a hosted chat", { timeout: 30_000 }, () => {
  it("reach the guest's devices as positions: ticks, a sync replaying them once, message info, no outbox row", async () => {
    const { host, guest, chat, hostChat, g, h, ids, end } = await hostedChat(3);
    const [a = "", b = "", c = ""] = ids;
    for (const id of ids) h.send({ type: "received", ids: [id] });
    h.send({ type: "read", chat: hostChat, upTo: b });
    await g.until((s) => ticks(s, "delivered").includes(c) && ticks(s, "read").includes(b));
    for (const r of g.of("receipt")) expect(r).toMatchObject({ chat, by: host.user.id });
    expect(ticks(g, "read").sort()).toEqual([a, b].sort());
    // Each id is ticked once per status: read implies delivered, so `a` and `b` may come as delivered first.
    expect(new Set(ticks(g, "delivered")).size).toBe(ticks(g, "delivered").length);
    // An acknowledgement repeated makes no second receipt.
    const before = g.of("receipt").length;
    h.send({ type: "received", ids });
    h.send({ type: "read", chat: hostChat, upTo: b });
    await new Promise((r) => setTimeout(r, 700));
    expect(g.of("receipt").length).toBe(before);

    // Stored at the guest as batches (`by` = '*'), none at the host, no outbox row.
    const stored = await receiptRows<{ chat: string; by: string }>(guest.user.id, "SELECT chat, by FROM receipts");
    expect(stored.length).toBeGreaterThan(0);
    for (const r of stored) expect(r).toEqual({ chat, by: "*" });
    expect(await rows(host.user.id, "SELECT * FROM outbox")).toEqual([]);
    expect(await receiptRows(host.user.id, "SELECT * FROM receipts")).toEqual([]);
    const replay = await replayedReceipts(guest.token);
    const replayed = (status: string) => replay.filter((r) => r.status === status).flatMap((r) => r.ids);
    expect(replayed("read").sort()).toEqual([a, b].sort());
    expect(replayed("delivered")).toEqual(ticks(g, "delivered"));

    // Message info of the guest's message, from the host's positions and the batches' times.
    const info = await userStub(guest.user.id).receiptsOf(chat, a);
    expect(info.ok).toBe(true);
    const marks = info.ok ? info.value.marks : [];
    expect(marks).toEqual([{ user: host.user.id, deliveredAt: expect.any(Number), readAt: expect.any(Number) }]);
    const third = await userStub(guest.user.id).receiptsOf(chat, c);
    expect(third.ok && third.value.marks).toEqual([
      { user: host.user.id, deliveredAt: expect.any(Number), readAt: null },
    ]);
    await end();
  });

  it("message info: a message not delivered has no mark; the host's message is not the guest's; unknown ids", async () => {
    const { host, guest, chat, ids, end } = await hostedChat(1);
    const id = ids[0] ?? "";
    const info = await userStub(guest.user.id).receiptsOf(chat, id);
    expect(info.ok && info.value.marks).toEqual([]);
    expect(info.ok && info.value.message).toMatchObject({ id, chat, from: guest.user.id });
    // Another character before the host's id (the id's origin), never the one it has.
    const unknown = `${id.slice(0, -17)}${id.at(-17) === "0" ? "1" : "0"}${id.slice(-16)}`;
    const answer = await userStub(guest.user.id).receiptsOf(chat, unknown);
    expect(!answer.ok && answer.error.code).toBe("unknown_message");
    // A third user asking the host as if it were the guest: the host answers nothing.
    const other = await userStub(host.user.id).hostedReceiptOf(`${guest.user.id.slice(0, -1)}~`, id);
    expect(!other.ok && other.error.code).toBe("not_found");
    await end();
  });

  it("refuses a batch from a user that does not host the chat: forbidden, nothing stored or shown", async () => {
    const { host, guest, chat, g, h, end } = await hostedChat(1);
    const batch = {
      items: [
        {
          kind: "receipts" as const,
          rid: "x",
          chat: `u:${guest.user.id}` as ChatId,
          status: "read" as const,
          ts: 1,
          readers: { [guest.user.id]: ["a"] },
        },
      ],
      upto: { delivered: "a", read: "a" },
      from: null,
    };
    // The guest handing "receipts" to its host: the guest does not host.
    const refused = await userStub(host.user.id).takeHostedReceipts(guest.user.id, batch);
    expect(!refused.ok && refused.error.code).toBe("forbidden");
    await new Promise((r) => setTimeout(r, 300));
    expect(h.of("receipt")).toEqual([]);
    expect(await receiptRows(host.user.id, "SELECT * FROM receipts")).toEqual([]);
    // The host acknowledging "as a guest" to its guest's object: no chat is hosted there.
    const ack = await userStub(guest.user.id).hostedAck(host.user.id, "z", "z", "z");
    expect(!ack.ok && ack.error.code).toBe("not_found");
    expect(g.of("receipt")).toEqual([]);
    expect(await receiptRows(guest.user.id, "SELECT * FROM receipts")).toEqual([]);
    expect(chat).toBe(`u:${host.user.id}`);
    await end();
  });

  it("an edit by the guest makes its message unread at the host: read again, a new read receipt and message info's read time after the edit", async () => {
    const { guest, chat, hostChat, g, h, ids, end } = await hostedChat(1);
    const a = ids[0] ?? "";
    h.send({ type: "read", chat: hostChat, upTo: a });
    await g.until((s) => ticks(s, "read").includes(a));
    g.send({ type: "edit", clientId: "e1", id: a, text: "edited" });
    const edited = await g.next("update", (f) => f.clientId === "e1");
    await h.next("update", (f) => f.message.id === a);
    const before = await userStub(guest.user.id).receiptsOf(chat, a);
    expect(before.ok && before.value.marks[0]?.readAt).toBeNull();
    h.send({ type: "read", chat: hostChat, upTo: a });
    await g.until((s) => ticks(s, "read").length === 2);
    const after = await userStub(guest.user.id).receiptsOf(chat, a);
    const readAt = after.ok ? (after.value.marks[0]?.readAt ?? 0) : 0;
    expect(readAt).toBeGreaterThanOrEqual(edited.message.editedAt ?? Number.POSITIVE_INFINITY);
    await end();
  });
});
