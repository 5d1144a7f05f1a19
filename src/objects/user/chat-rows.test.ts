// One-to-one chat rows and receipt positions kept in memory and written
// together (mailbox-chats.ts, mailbox-receipts.ts), under faults, in the
// Workers runtime. The object "dies" (evictDurableObject: its memory is lost,
// and the alarm is deleted first, so only a wake can repair) while rows wait:
//   - the sender, with own messages its chat row does not name yet: they are
//     still owed, delivered once in order, and the id clock (not written by
//     sends) starts after them;
//   - the recipient, with messages its chat row does not count yet: the chat
//     list shows the newest and the unread count from the read position, which
//     a read wrote at once;
//   - the recipient, with a delivered position not written: a repeated
//     acknowledgement sends a second receipt, and the sender keeps the first time.
// Without a death: acknowledgements out of order, and repeated ones, send
// exactly one receipt per message; the position moves only over what was got.
// The sender's id sorts first: today's copies whatever HOSTED_GUEST_SEND.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ReaderReceipt } from "../../shared/protocol";
import { rows, sendAndWait } from "../../test/actions";
import { pairSenderFirst } from "../../test/copies";
import { clearAlarms } from "../../test/groups";
import { connect, userStub } from "../../test/helpers";
import { wrapDeliveries } from "../../test/outbox-faults";
import { eventually } from "../../test/presence-helpers";

type ChatRow = { last_id: string; last_own: string | null; unread: number; read_upto: string; delivered_upto: string };

function chatRow(userId: string, chat: string): Promise<ChatRow | undefined> {
  return rows<ChatRow>(
    userId,
    "SELECT last_id, last_own, unread, read_upto, delivered_upto FROM chats WHERE chat = ?",
    chat,
  ).then((r) => r[0]);
}

/** The object dies at once: memory, timers and the alarm gone (abort resets it; nothing waiting is written). */
async function die(userId: string): Promise<void> {
  const stub = userStub(userId);
  await runInDurableObject(stub, (_instance, state) => state.storage.deleteAlarm());
  await runInDurableObject(stub, (_instance, state) => state.abort("injected: the process dies")).catch(() => {});
}

async function infoOf(userId: string, chat: string, id: string): Promise<ReaderReceipt[]> {
  const info = await userStub(userId).receiptsOf(chat, id);
  if (!info.ok) throw new Error(JSON.stringify(info));
  return info.value.marks;
}

describe("one-to-one chat rows written together, when the object dies", { timeout: 30_000 }, () => {
  it("the sender: own messages its chat row does not name yet are delivered once, in order; ids keep increasing", async () => {
    const { alice, bob, a, b, toBob, toAlice } = await pairSenderFirst();
    b.close();
    const sender = userStub(alice.user.id);
    let down = true;
    await wrapDeliveries(alice.user.id, (real) => async (target, items) => {
      if (down) throw new Error("injected: recipient down");
      return real(target, items);
    });
    const sent: { id: string; seq: number }[] = [];
    for (let i = 0; i < 3; i++) sent.push(await sendAndWait(a, toBob, `m${i}`, `k${i}`));
    // The first made the chat's row; the others wait in memory (and no send wrote the id clock).
    expect((await chatRow(alice.user.id, toBob))?.last_own).toBe(sent[0]?.id);
    const clock = await rows<{ value: string }>(alice.user.id, "SELECT value FROM meta WHERE key = 'counters'");
    expect(clock.map((r) => r.value)).toEqual(["0:0:0"]);
    down = false;
    await die(alice.user.id);
    a.close();

    await sender.stats(); // any call wakes it: the rows are repaired, the peer is owed
    await eventually(async () => (await sender.stats()).outbox === 0, "nothing owed after the wake");
    expect((await chatRow(alice.user.id, toBob))?.last_own).toBe(sent[2]?.id);
    await eventually(
      async () => (await userStub(bob.user.id).history(toAlice, undefined, 10)).length === 3,
      "all three",
    );
    const history = await userStub(bob.user.id).history(toAlice, undefined, 10);
    expect(history.map((m) => m.id)).toEqual(sent.map((s) => s.id));
    // A send after the wake: its id after the newest before (the clock from the rows).
    const a2 = await connect(alice.token);
    const next = await sendAndWait(a2, toBob, "after the wake", "k3");
    expect(next.id > (sent[2]?.id ?? "~")).toBe(true);
    expect(next.seq).toBeGreaterThan(sent[2]?.seq ?? Infinity);
    a2.close();
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });

  it("the recipient: the chat list shows the newest message and counts unread from the position a read wrote", async () => {
    const { alice, bob, a, b, toBob, toAlice } = await pairSenderFirst();
    const sent: { id: string; seq: number }[] = [];
    for (let i = 0; i < 3; i++) sent.push(await sendAndWait(a, toBob, `m${i}`, `k${i}`));
    await b.until((s) => s.of("message").length === 3);
    b.send({ type: "read", chat: toAlice, upTo: sent[0]?.id });
    await eventually(async () => (await chatRow(bob.user.id, toAlice))?.read_upto === sent[0]?.id, "the read written");
    const late = await sendAndWait(a, toBob, "m3", "k3");
    await b.until((s) => s.of("message").length === 4);
    expect((await chatRow(bob.user.id, toAlice))?.last_id).toBe(sent[2]?.id); // m3 waits in memory
    await die(bob.user.id);
    b.close();

    const list = await userStub(bob.user.id).chats();
    expect(list.map((c) => [c.chat, c.lastMessage?.id, c.unread])).toEqual([[toAlice, late.id, 3]]);
    a.close();
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });

  it("the recipient: a delivered position lost makes a second receipt; the sender keeps the first time", async () => {
    const { alice, bob, a, b, toBob } = await pairSenderFirst();
    const m = await sendAndWait(a, toBob, "once", "k0");
    await b.until((s) => s.of("message").length === 1);
    b.send({ type: "received", ids: [m.id] });
    await a.until((s) => s.of("receipt").length === 1);
    const first = (await infoOf(alice.user.id, toBob, m.id))[0]?.deliveredAt;
    expect(first).toBeTypeOf("number");
    await die(bob.user.id);
    b.close();

    await new Promise((r) => setTimeout(r, 20));
    const b2 = await connect(bob.token);
    b2.send({ type: "received", ids: [m.id] });
    await a.until((s) => s.of("receipt").length === 2);
    expect(await infoOf(alice.user.id, toBob, m.id)).toEqual([{ user: bob.user.id, deliveredAt: first, readAt: null }]);
    a.close();
    b2.close();
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });
});

describe("receipt positions", () => {
  it("out of order and repeated acknowledgements: one receipt per message, the position moves only over what was got", async () => {
    const { alice, bob, a, b, toBob, toAlice } = await pairSenderFirst();
    const sent: { id: string }[] = [];
    for (let i = 0; i < 3; i++) sent.push(await sendAndWait(a, toBob, `m${i}`, `k${i}`));
    await b.until((s) => s.of("message").length === 3);
    const [m0, m1, m2] = sent.map((s) => s.id) as [string, string, string];
    b.send({ type: "received", ids: [m0, m2] }); // m1 not got yet
    await a.until((s) => s.of("receipt").flatMap((r) => r.ids).length === 2);
    await userStub(bob.user.id).chats(); // writes the rows waiting
    expect((await chatRow(bob.user.id, toAlice))?.delivered_upto).toBe(m0);
    b.send({ type: "received", ids: [m2, m0] }); // repeated: nothing
    b.send({ type: "received", ids: [m1, m2] }); // m1 fills the gap; m2 again is nothing
    await a.until((s) => s.of("receipt").flatMap((r) => r.ids).length >= 3);
    await new Promise((r) => setTimeout(r, 400)); // past the gathering: no late receipt
    const delivered = a.of("receipt").flatMap((r) => r.ids);
    expect(delivered.sort()).toEqual([m0, m1, m2]);
    await userStub(bob.user.id).chats();
    expect((await chatRow(bob.user.id, toAlice))?.delivered_upto).toBe(m2);
    // A read covers all three; a second read of the same sends nothing more.
    b.send({ type: "read", chat: toAlice, upTo: m2 });
    b.send({ type: "read", chat: toAlice, upTo: m2 });
    await a.until((s) => s.of("receipt").some((r) => r.status === "read"));
    await new Promise((r) => setTimeout(r, 400));
    const reads = a.of("receipt").filter((r) => r.status === "read");
    expect(reads.flatMap((r) => r.ids)).toEqual([m0, m1, m2]);
    expect((await userStub(bob.user.id).chats())[0]?.unread).toBe(0);
    a.close();
    b.close();
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });
});
