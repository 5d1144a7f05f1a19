// The retry key's table (./retry-keys.ts, schema step 21): a key waits in the
// tail (the messages after `retry_upto`) until the tail spans RETRY_TAIL_SEQS
// seqs, then the tail's keys go into the table with the message that made it
// so. A retry finds its first answer in either place and stores nothing; a
// guest's key and an own one with the same clientId stay apart; a row deleted
// or moved takes its key with it.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { clearAlarms } from "../../test/groups";
import { connect } from "../../test/helpers";
import { guestMessage, hostAndGuest, hostedRows } from "../../test/hosted";
import { appendMany, retryKeys } from "../../test/retry-keys";
import { RETRY_TAIL_SEQS } from "./retry-keys";

describe("the retry key's table", { timeout: 60_000 }, () => {
  it("keys wait in the tail, then go into the table; every retry answers the first answer and stores nothing", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    const h = await connect(host.token);
    h.send({ type: "send", clientId: "g1", chat, text: "own, with a guest's clientId" });
    const own = await h.next("sent", (f) => f.clientId === "g1");
    expect(own.seq).toBe(1);
    const first = await appendMany(host.user.id, guest.user.id, RETRY_TAIL_SEQS - 2);
    // Seqs 1..63: all in the tail, none in the table.
    expect(await retryKeys(host.user.id)).toEqual({ keys: [], upto: 0 });
    const retried = await stub.appendFromGuest(guest.user.id, guestMessage("g1", 99));
    expect(retried).toEqual({ ok: true, value: first[0] });

    // Seq 64 makes the tail span 64 seqs: its keys, this one's too, go into the table in its commit.
    const [filling] = await appendMany(host.user.id, guest.user.id, 1, RETRY_TAIL_SEQS - 1);
    expect(filling?.seq).toBe(RETRY_TAIL_SEQS);
    const { keys, upto } = await retryKeys(host.user.id);
    expect(upto).toBe(RETRY_TAIL_SEQS);
    expect(keys.map((k) => [k.client_id, k.sender === host.user.id ? "host" : "guest", k.seq])).toEqual([
      ["g1", "host", 1],
      ...[...first, filling].map((a, i) => [`g${i + 1}`, "guest", a?.seq]),
    ]);
    // Two more wait in the tail.
    const later = await appendMany(host.user.id, guest.user.id, 2, RETRY_TAIL_SEQS);
    expect((await retryKeys(host.user.id)).keys).toHaveLength(RETRY_TAIL_SEQS);

    // Retries from the table and from the tail: the first answers; no row, no seq taken.
    for (const [key, answer] of [
      ["g1", first[0]],
      ["g40", first[39]],
      [`g${RETRY_TAIL_SEQS - 1}`, filling],
      [`g${RETRY_TAIL_SEQS + 1}`, later[1]],
    ] as const) {
      expect(await stub.appendFromGuest(guest.user.id, guestMessage(key, 1))).toEqual({ ok: true, value: answer });
    }
    h.send({ type: "send", clientId: "g1", chat, text: "own, with a guest's clientId" });
    expect(await h.next("sent", (f) => f.clientId === "g1" && f !== own)).toEqual(own);
    const stored = await hostedRows(host.user.id);
    expect(stored).toHaveLength(RETRY_TAIL_SEQS + 2);
    expect((await stub.stats()).seq).toBe(RETRY_TAIL_SEQS + 2);
    // A new key after the retries is a new message, in the tail.
    const fresh = await appendMany(host.user.id, guest.user.id, 1, 500);
    expect(fresh[0]?.seq).toBe(RETRY_TAIL_SEQS + 3);
    h.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  });

  it("a row deleted, or its key or seq changed, takes its key out of the table", async () => {
    const { host, guest, stub } = await hostAndGuest();
    await appendMany(host.user.id, guest.user.id, RETRY_TAIL_SEQS);
    expect((await retryKeys(host.user.id)).keys).toHaveLength(RETRY_TAIL_SEQS);
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec("DELETE FROM messages WHERE client_id = 'g1'");
      sql.exec("UPDATE messages SET client_id = 'renamed' WHERE client_id = 'g2'");
      sql.exec("UPDATE messages SET seq = 1000 WHERE client_id = 'g3'");
    });
    const { keys } = await retryKeys(host.user.id);
    expect(keys.map((k) => k.client_id).slice(0, 3)).toEqual(["renamed", "g4", "g5"]);
    // g3 moved above the position: back in the tail, still found.
    expect(keys.some((k) => k.client_id === "g3")).toBe(false);
    const g3 = await stub.appendFromGuest(guest.user.id, guestMessage("g3", 1));
    expect(g3.ok && g3.value.seq).toBe(1000);
    await clearAlarms([], [host.user.id]);
  });
});
