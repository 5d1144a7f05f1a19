// Crashes and failures on the host's side of a hosted chat (./hosted-append.ts,
// docs/one-copy-per-chat.md "Crashes"): the host dying after its commit and
// before its answer (the guest's retry gets the same answer), dying with the
// chat row waiting in memory (the next position and the id clock are found
// again from the rows), and a write failing between the message row and the
// chat row (neither is left).

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { crash } from "../../test/group-faults";
import { clearAlarms } from "../../test/groups";
import { connect, userStub } from "../../test/helpers";
import { guestMessage, hostAndGuest, hostedRows, hostedSendOff, partsOf, storedChats } from "../../test/hosted";
import { appendFromGuest, type HostedAnswer } from "./hosted-append";
import { hostSide } from "./sides";

describe("appendFromGuest, crashes", { timeout: 60_000 }, () => {
  it("the host dies after its commit and before its answer: the retry gets the same answer, one row", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    let lost: HostedAnswer | undefined;
    await runInDurableObject(stub, async (instance, state) => {
      lost = await appendFromGuest(hostSide(partsOf(instance)), guest.user.id, guestMessage("lost", 12));
      await state.storage.sync(); // committed...
      state.abort("test crash: after the commit, before the answer"); // ...and never answered
    }).catch(() => undefined);
    expect(lost).toMatchObject({ pos: 1, guestSeq: 12 });
    // A crashed object's stub is broken: the guest's object calls again through a new one.
    const retried = await userStub(host.user.id).appendFromGuest(guest.user.id, guestMessage("lost", 13));
    expect(retried).toEqual({ ok: true, value: lost });
    expect((await hostedRows(host.user.id)).map((r) => [r.id, r.guest_seq, r.pos])).toEqual([[lost?.id, 12, 1]]);
    expect(await storedChats(host.user.id)).toEqual([
      { chat, last_id: lost?.id, unread: 1, hosted_from: "", next_pos: 2 },
    ]);
    await clearAlarms([], [host.user.id]);
  });

  it("the host dies before its commit: the message is stored once by the retry, or was already", async () => {
    const { host, guest, stub } = await hostAndGuest();
    await runInDurableObject(stub, (instance, state) => {
      void appendFromGuest(hostSide(partsOf(instance)), guest.user.id, guestMessage("early", 1));
      state.abort("test crash: before the commit");
    }).catch(() => undefined);
    const retried = await userStub(host.user.id).appendFromGuest(guest.user.id, guestMessage("early", 1));
    expect(retried.ok && retried.value.pos).toBe(1);
    expect((await hostedRows(host.user.id)).map((r) => r.client_id)).toEqual(["early"]);
    expect((await storedChats(host.user.id)).map((c) => c.next_pos)).toEqual([2]);
    await clearAlarms([], [host.user.id]);
  });

  it("the chat row waiting in memory is lost: the next position and the id clock are found again", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    const answers: HostedAnswer[] = [];
    for (const [i, key] of ["a", "b", "c"].entries()) {
      const answer = await stub.appendFromGuest(guest.user.id, guestMessage(key, i + 1));
      if (answer.ok) answers.push(answer.value);
    }
    const newest = answers[2]?.id ?? "";
    // The first message wrote the new chat's row; the next two wait in memory.
    expect(await storedChats(host.user.id, false)).toEqual([
      { chat, last_id: answers[0]?.id, unread: 1, hosted_from: "", next_pos: 2 },
    ]);
    await crash(stub);
    // The wake's repair made the row again from the messages.
    expect(await storedChats(host.user.id, false)).toEqual([
      { chat, last_id: newest, unread: 3, hosted_from: "", next_pos: 4 },
    ]);
    // The id clock, never written by these messages, starts after the newest hosted one.
    const woken = userStub(host.user.id);
    const floor = await runInDurableObject(woken, (instance) => partsOf(instance).mailbox.chatRows.newestOwn());
    expect(floor).toBe(newest);
    const fourth = await woken.appendFromGuest(guest.user.id, guestMessage("d", 4));
    expect(fourth.ok && fourth.value.pos).toBe(4);
    expect(fourth.ok && fourth.value.id > newest).toBe(true);
    expect((await hostedRows(host.user.id)).map((r) => r.pos)).toEqual([1, 2, 3, 4]);
    await clearAlarms([], [host.user.id]);
  });
});

describe("appendFromGuest, a write that fails", () => {
  /** Makes every write of `what` on the host's chats fail until `undo`. */
  async function failing(stub: DurableObjectStub, what: "INSERT" | "UPDATE") {
    const run = (query: string) =>
      runInDurableObject(stub, (_instance, state) => {
        state.storage.sql.exec(query);
      });
    await run(`CREATE TRIGGER injected BEFORE ${what} ON chats BEGIN SELECT RAISE(ABORT, 'injected'); END`);
    return () => run("DROP TRIGGER injected");
  }

  it("a new chat's row fails: no message row is left, none shown; the retry stores it once", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    const h = await connect(host.token);
    const undo = await failing(stub, "INSERT");
    expect(await stub.appendFromGuest(guest.user.id, guestMessage("x", 1))).toEqual({
      ok: false,
      error: { code: "internal", message: "the message was not stored; send again" },
    });
    expect(await hostedRows(host.user.id)).toEqual([]);
    expect(await storedChats(host.user.id)).toEqual([]);
    await undo();
    const stored = await stub.appendFromGuest(guest.user.id, guestMessage("x", 1));
    expect(stored.ok && stored.value).toMatchObject({ pos: 1, guestSeq: 1 });
    expect((await hostedRows(host.user.id)).map((r) => r.client_id)).toEqual(["x"]);
    expect((await storedChats(host.user.id)).map((c) => [c.chat, c.next_pos])).toEqual([[chat, 2]]);
    expect(h.of("message").map((f) => f.message.id)).toEqual([stored.ok ? stored.value.id : ""]);
    h.close();
    await clearAlarms([], [host.user.id]);
  });

  it("the row of a chat whose hosting begins fails: the chat stays as it was, in storage and in memory", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    const h = await connect(host.token);
    // A chat of two copies: the guest's copy delivered the old way.
    await hostedSendOff(guest.user.id);
    const g = await connect(guest.token);
    g.send({ type: "send", clientId: "old", chat: `u:${host.user.id}`, text: "the old way" });
    const old = await g.next("sent");
    await h.next("message", (f) => f.message.id === old.id);
    const undo = await failing(stub, "UPDATE");
    const failed = await stub.appendFromGuest(guest.user.id, guestMessage("y", 1));
    expect(failed.ok ? "stored" : failed.error.code).toBe("internal");
    await undo();
    expect((await hostedRows(host.user.id)).map((r) => r.id)).toEqual([old.id]);
    expect(await storedChats(host.user.id)).toEqual([
      { chat, last_id: old.id, unread: 1, hosted_from: null, next_pos: null },
    ]);
    const stored = await stub.appendFromGuest(guest.user.id, guestMessage("y", 1));
    expect(stored.ok && stored.value.pos).toBe(1);
    expect(await storedChats(host.user.id, false)).toEqual([
      { chat, last_id: stored.ok ? stored.value.id : "", unread: 2, hosted_from: old.id, next_pos: 2 },
    ]);
    h.close();
    g.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  });
});
