// Crashes and failures around the retry key's table (./retry-keys.ts): the
// message whose insert fills the table from the tail commits with it or not
// at all, so a message answered `sent` is found by its retry whichever side
// of the fill a crash falls: the host dying after that commit and before its
// answer, dying before the commit, and the table's write failing.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { clearAlarms } from "../../test/groups";
import { userStub } from "../../test/helpers";
import { guestMessage, hostAndGuest, hostedRows, partsOf } from "../../test/hosted";
import { appendMany, retryKeys } from "../../test/retry-keys";
import { appendFromGuest, type HostedAnswer } from "./hosted-append";
import { RETRY_TAIL_SEQS } from "./retry-keys";
import { hostSide } from "./sides";

const FILLING = `g${RETRY_TAIL_SEQS}`;

describe("the retry key's table, crashes", { timeout: 60_000 }, () => {
  it("the host dies after the commit that filled the table, before its answer: the retry gets the same answer", async () => {
    const { host, guest, stub } = await hostAndGuest();
    const earlier = await appendMany(host.user.id, guest.user.id, RETRY_TAIL_SEQS - 1);
    let lost: HostedAnswer | undefined;
    await runInDurableObject(stub, async (instance, state) => {
      lost = await appendFromGuest(hostSide(partsOf(instance)), guest.user.id, guestMessage(FILLING, 1));
      await state.storage.sync(); // committed, the table filled with it...
      state.abort("test crash: after the commit, before the answer"); // ...and never answered
    }).catch(() => undefined);
    expect(lost?.seq).toBe(RETRY_TAIL_SEQS);
    const { keys, upto } = await retryKeys(host.user.id);
    expect([keys.length, upto]).toEqual([RETRY_TAIL_SEQS, RETRY_TAIL_SEQS]);
    const woken = userStub(host.user.id);
    expect(await woken.appendFromGuest(guest.user.id, guestMessage(FILLING, 2))).toEqual({ ok: true, value: lost });
    expect(await woken.appendFromGuest(guest.user.id, guestMessage("g1", 2))).toEqual({ ok: true, value: earlier[0] });
    expect(await hostedRows(host.user.id)).toHaveLength(RETRY_TAIL_SEQS);
    await clearAlarms([], [host.user.id]);
  });

  it("the host dies before that commit: nothing filled, the tail answers the earlier keys, the retry stores once", async () => {
    const { host, guest, stub } = await hostAndGuest();
    const earlier = await appendMany(host.user.id, guest.user.id, RETRY_TAIL_SEQS - 1);
    await runInDurableObject(stub, (instance, state) => {
      void appendFromGuest(hostSide(partsOf(instance)), guest.user.id, guestMessage(FILLING, 1));
      state.abort("test crash: before the commit");
    }).catch(() => undefined);
    expect(await retryKeys(host.user.id)).toEqual({ keys: [], upto: 0 });
    const woken = userStub(host.user.id);
    expect(await woken.appendFromGuest(guest.user.id, guestMessage("g7", 2))).toEqual({ ok: true, value: earlier[6] });
    const stored = await woken.appendFromGuest(guest.user.id, guestMessage(FILLING, 2));
    expect(stored.ok && stored.value.pos).toBe(RETRY_TAIL_SEQS);
    expect(await woken.appendFromGuest(guest.user.id, guestMessage(FILLING, 3))).toEqual(stored);
    expect((await hostedRows(host.user.id)).map((r) => r.client_id)).toEqual(
      Array.from({ length: RETRY_TAIL_SEQS }, (_, i) => `g${i + 1}`),
    );
    expect((await retryKeys(host.user.id)).keys).toHaveLength(RETRY_TAIL_SEQS);
    await clearAlarms([], [host.user.id]);
  });

  it("the table's write fails: the message that would fill it is not stored, nothing moves; the retry stores it once", async () => {
    const { host, guest, stub } = await hostAndGuest();
    const earlier = await appendMany(host.user.id, guest.user.id, RETRY_TAIL_SEQS - 1);
    const run = (query: string) =>
      runInDurableObject(stub, (_instance, state) => {
        state.storage.sql.exec(query);
      });
    await run("CREATE TRIGGER injected BEFORE INSERT ON retry_keys BEGIN SELECT RAISE(ABORT, 'injected'); END");
    expect(await stub.appendFromGuest(guest.user.id, guestMessage(FILLING, 1))).toEqual({
      ok: false,
      error: { code: "internal", message: "the message was not stored; send again" },
    });
    expect(await hostedRows(host.user.id)).toHaveLength(RETRY_TAIL_SEQS - 1);
    expect(await retryKeys(host.user.id)).toEqual({ keys: [], upto: 0 });
    expect(await stub.appendFromGuest(guest.user.id, guestMessage("g2", 2))).toEqual({ ok: true, value: earlier[1] });
    await run("DROP TRIGGER injected");
    const stored = await stub.appendFromGuest(guest.user.id, guestMessage(FILLING, 2));
    expect(stored.ok && stored.value.pos).toBe(RETRY_TAIL_SEQS);
    expect(await stub.appendFromGuest(guest.user.id, guestMessage(FILLING, 3))).toEqual(stored);
    expect(await hostedRows(host.user.id)).toHaveLength(RETRY_TAIL_SEQS);
    const { keys, upto } = await retryKeys(host.user.id);
    expect([keys.length, upto]).toEqual([RETRY_TAIL_SEQS, stored.ok ? stored.value.seq : 0]);
    await clearAlarms([], [host.user.id]);
  });
});
