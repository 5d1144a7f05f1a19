// The host's answers to its guest's reads (./hosted-reads.ts, docs/one-copy-per-chat.md
// step 2): the hosted chat's log as a group's entries, named as the guest names
// it, from where hosting began; a range walked back across pages; search bounded
// to the chat; anyone but the chat's guest refused with a code, given nothing,
// and nothing written.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { randomId } from "../../shared/ids";
import type { ChatId } from "../../shared/protocol";
import { clearAlarms } from "../../test/groups";
import { connect, register, userStub } from "../../test/helpers";
import { guestMessage, hostAndGuest, hostedRows, hostedSendOff, partsOf, storedChats } from "../../test/hosted";
import type { GroupEntry } from "../group-entry";
import { matchExpression } from "./search-query";
import { FTS_UPTO_KEY } from "./search-triggers";

type Stub = ReturnType<typeof userStub>;

/** `n` guest messages, one after the other (clientIds `<key>1`, `<key>2`, ...); answers their ids. */
async function appendMany(
  stub: Stub,
  guest: string,
  n: number,
  text: (i: number) => string,
  key = "c",
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    const answer = await stub.appendFromGuest(guest, guestMessage(`${key}${i}`, 1000 + i, { text: text(i) }));
    if (!answer.ok) throw new Error(answer.error.code);
    ids.push(answer.value.id);
  }
  return ids;
}

function value<T>(answer: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!answer.ok) throw new Error(`refused: ${answer.error.code}`);
  return answer.value;
}

const positions = (entries: GroupEntry[]) => entries.map((e) => e.pos);

describe("a hosted chat's log, read by its guest", () => {
  it("starts where hosting began, in positions, named as the guest names it", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    // A message sent before hosting: a copy in each mailbox, as today; not part of the log.
    await hostedSendOff(guest.user.id);
    const g = await connect(guest.token);
    g.send({ type: "send", clientId: "before", chat: `u:${host.user.id}`, text: "from before" });
    const before = await g.next("sent", (f) => f.clientId === "before");
    await expect.poll(async () => (await hostedRows(host.user.id)).length).toBe(1);

    const [first = "", second = ""] = await appendMany(stub, guest.user.id, 2, (i) => `guest ${i}`);
    const h = await connect(host.token);
    h.send({ type: "send", clientId: "own", chat, text: "the host's own" });
    const own = await h.next("sent", (f) => f.clientId === "own");
    const [third = ""] = await appendMany(stub, guest.user.id, 1, () => "guest 3", "later");
    expect((await storedChats(host.user.id))[0]?.hosted_from).toBe(before.id);

    const all = value(await stub.hostedPull(guest.user.id, "", 1000));
    expect(positions(all.entries)).toEqual([1, 2, 3, 4]);
    expect(all.entries.map((e) => e.id)).toEqual([first, second, own.id, third]);
    expect(all.through).toBe(third);
    for (const entry of all.entries) {
      expect(entry.message.chat).toBe(`u:${host.user.id}`);
      expect(entry.message).not.toHaveProperty("seq");
      expect(entry.change).toBeUndefined();
    }
    // The guest's own messages carry its clientId; the host's do not.
    expect(all.entries.map((e) => [e.message.from, e.message.clientId])).toEqual([
      [guest.user.id, "c1"],
      [guest.user.id, "c2"],
      [host.user.id, undefined],
      [guest.user.id, "later1"],
    ]);
    expect(all.entries[2]?.message.text).toBe("the host's own");

    // Paged: a short page says where it stopped; after the end, nothing.
    const page = value(await stub.hostedPull(guest.user.id, "", 2));
    expect(positions(page.entries)).toEqual([1, 2]);
    expect(page.through).toBe(second);
    expect(value(await stub.hostedPull(guest.user.id, second, 1000)).entries.map((e) => e.pos)).toEqual([3, 4]);
    expect(value(await stub.hostedPull(guest.user.id, third, 1000))).toEqual({ entries: [], through: null });
    // Asked from before hosting began: still from the first position.
    expect(positions(value(await stub.hostedPull(guest.user.id, before.id, 1000)).entries)).toEqual([1, 2, 3, 4]);

    expect(positions(value(await stub.hostedEntries(guest.user.id, 2, 3)))).toEqual([2, 3]);
    expect(positions(value(await stub.hostedHistory(guest.user.id, undefined, 2)))).toEqual([3, 4]);
    expect(positions(value(await stub.hostedHistory(guest.user.id, own.id, 10)))).toEqual([1, 2]);
    expect(value(await stub.hostedMessage(guest.user.id, own.id))).toEqual(all.entries[2]);
    // The message from before hosting is not in the log (both mailboxes have it).
    expect(value(await stub.hostedMessage(guest.user.id, before.id))).toBeNull();
    g.close();
    h.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  });

  it("walks a range back across pages, and searches only this chat, in the index and its tail", async () => {
    const { host, guest, stub } = await hostAndGuest();
    // The same word in another chat of the host's, hosted too and in a third user's mailbox: never a hit
    // for this guest.
    let other = await register();
    while (other.user.id < host.user.id) other = await register();
    await appendMany(stub, other.user.id, 1, () => "quince from another guest");
    const at = Date.now();
    const third = await register();
    await stub.accept([
      {
        kind: "message",
        id: `${at.toString(36).padStart(9, "0")}0000${randomId()}`,
        chat: `u:${third.user.id}`,
        from: third.user.id,
        text: "quince",
        ts: at,
      },
    ]);
    const ids = await appendMany(stub, guest.user.id, 230, (i) => (i % 10 === 0 ? `quince ${i}` : `note ${i}`));

    expect(positions(value(await stub.hostedEntries(guest.user.id, 5, 7)))).toEqual([5, 6, 7]);
    expect(value(await stub.hostedSearch(other.user.id, matchExpression(["quince"]), undefined, 100))).toHaveLength(1);
    expect(positions(value(await stub.hostedEntries(guest.user.id, 225, 999)))).toEqual([225, 226, 227, 228, 229, 230]);
    const whole = value(await stub.hostedEntries(guest.user.id, 1, 230));
    expect(positions(whole)).toEqual(Array.from({ length: 230 }, (_, i) => i + 1));
    expect(whole.map((e) => e.id)).toEqual(ids);

    // Some hits are in the index, the newest in its tail: both are read.
    const indexedUpTo = await runInDurableObject(stub, (_, state) =>
      Number(
        state.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", FTS_UPTO_KEY).one().value,
      ),
    );
    expect(indexedUpTo).toBeGreaterThan(10);
    expect(indexedUpTo).toBeLessThan(231);
    const match = matchExpression(["quince"]);
    const hits = value(await stub.hostedSearch(guest.user.id, match, undefined, 100));
    const expected = Array.from({ length: 23 }, (_, i) => `quince ${230 - 10 * i}`);
    expect(hits.map((e) => e.message.text)).toEqual(expected);
    expect(hits.every((e) => e.message.chat === `u:${host.user.id}`)).toBe(true);
    const older = value(await stub.hostedSearch(guest.user.id, match, hits[9]?.id, 100));
    expect(older.map((e) => e.message.text)).toEqual(expected.slice(10));
    expect(positions(value(await stub.hostedSearch(guest.user.id, match, undefined, 2)))).toEqual([230, 220]);
    await clearAlarms([], [host.user.id, guest.user.id, other.user.id]);
  });

  it("refuses anyone but the chat's guest with not_found, answers nothing and writes nothing", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    const [id] = await appendMany(stub, guest.user.id, 1, () => "secret");
    // A user the host only has an old, unhosted chat with; a stranger; the host itself.
    const old = await register();
    // Pinned: were `old`'s id to sort first, the host's send on would make that chat hosted too.
    await hostedSendOff(host.user.id);
    const h = await connect(host.token);
    h.send({ type: "send", clientId: "plain", chat: `u:${old.user.id}`, text: "not hosted" });
    await h.next("sent", (f) => f.clientId === "plain");
    const stranger = await register();
    const rowsBefore = await hostedRows(host.user.id);
    const chatsBefore = await storedChats(host.user.id);

    for (const caller of [old.user.id, stranger.user.id, host.user.id]) {
      const answers = [
        await stub.hostedPull(caller, "", 1000),
        await stub.hostedEntries(caller, 1, 10),
        await stub.hostedHistory(caller, undefined, 10),
        await stub.hostedMessage(caller, id ?? ""),
        await stub.hostedSearch(caller, matchExpression(["secret"]), undefined, 10),
      ];
      for (const answer of answers) {
        expect(answer.ok).toBe(false);
        if (!answer.ok) expect(answer.error.code).toBe("not_found");
      }
    }
    // The host rule: a user whose id sorts after the host's cannot host for it, so a
    // chat seen from the guest's object answers nothing either.
    const backwards = await userStub(guest.user.id).hostedPull(host.user.id, "", 1000);
    expect(backwards.ok || backwards.error.code).toBe("not_found");
    // The guest asking for a message of another chat of the host's: not in its log.
    const plain = (await hostedRows(host.user.id)).find((r) => r.text === "not hosted");
    expect(value(await stub.hostedMessage(guest.user.id, plain?.id ?? ""))).toBeNull();

    expect(await hostedRows(host.user.id)).toEqual(rowsBefore);
    expect(await storedChats(host.user.id)).toEqual(chatsBefore);
    expect(chatsBefore.map((c) => c.chat)).toContain(chat);
    h.close();
    await clearAlarms([], [host.user.id, guest.user.id, old.user.id]);
  });

  it("a guest's object reads it through the group code: seqs of its own, sync, history and search", async () => {
    const { host, guest, stub } = await hostAndGuest();
    const ids = await appendMany(stub, guest.user.id, 3, (i) => `plum ${i}`);
    const chat: ChatId = `u:${host.user.id}`;
    const own = userStub(guest.user.id);
    // What a push or a gap will do once guests take instead of storing (step 2 item 3): a pull.
    await runInDurableObject(own, (instance) => partsOf(instance).groupReads.pull(chat));
    const device = await connect(guest.token);
    await device.speak();
    const replayed = device.of("message").map((f) => f.message);
    expect(replayed.map((m) => [m.id, m.chat, m.text, m.clientId])).toEqual(
      ids.map((id, i) => [id, chat, `plum ${i + 1}`, `c${i + 1}`]),
    );
    const seqs = replayed.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(3);
    const page = await runInDurableObject(own, (instance) => partsOf(instance).groupReads.history(chat, undefined, 10));
    expect(page.map((m) => [m.id, m.seq])).toEqual(replayed.map((m) => [m.id, m.seq]));
    const hits = await runInDurableObject(own, (instance) =>
      partsOf(instance).groupReads.search(matchExpression(["plum"]), undefined, 10),
    );
    expect(hits.map((m) => m.id)).toEqual([...ids].reverse());
    // The guest stored no message: only its row of positions (one run) and nothing in its mailbox.
    expect(await hostedRows(guest.user.id)).toEqual([]);
    device.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  });
});
