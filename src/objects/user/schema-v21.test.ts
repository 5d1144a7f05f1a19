// User schema step 21 (./schema-v21.ts: the retry key from a unique index on
// `messages` to a table filled in batches, ./retry-keys.ts) on an object
// written by the code before it. The object is made with today's code (own
// messages in two chats, a hosted chat's guest messages), put back into the
// shape of version 20 exactly, and opened again: the keys up to the search
// index's position are in the table and the rest in its tail, the index is
// gone, every retry (own and a guest's) answers as before and stores nothing;
// then a new key waits in the tail and is found there.

import { describe, expect, it } from "vitest";
import { rows } from "../../test/actions";
import { clearAlarms } from "../../test/groups";
import { connect, register, type TestSocket, userStub } from "../../test/helpers";
import { backTo20, guestMessage, hostAndGuest, hostedRows, hostedSendOff, rewind } from "../../test/hosted";
import { appendMany, retryKeys } from "../../test/retry-keys";
import { RETRY_TAIL_SEQS } from "./retry-keys";

async function sent(socket: TestSocket, chat: string, clientId: string) {
  socket.send({ type: "send", clientId, chat, text: `text ${clientId}` });
  return socket.next("sent", (f) => f.clientId === clientId);
}

const INDEX_SQL = "SELECT sql FROM sqlite_master WHERE name = 'messages_by_client_id'";

describe("schema step 21 on an object written before it", () => {
  it("puts the keys up to the search index's position in the table, the rest in its tail; every retry answers as before", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    const other = await register();
    // Two copies in the host's chat with `other`, whatever the run's HOSTED_GUEST_SEND.
    await hostedSendOff(host.user.id);
    const h = await connect(host.token);
    const own = [await sent(h, chat, "k1"), await sent(h, `u:${other.user.id}`, "g2")];
    // Seqs 3..66: the search index takes its tail at 64 (step 17); 65 and 66 are its tail.
    const guests = await appendMany(host.user.id, guest.user.id, RETRY_TAIL_SEQS);
    h.close();
    await clearAlarms([], [host.user.id, guest.user.id, other.user.id]);
    const before = await hostedRows(host.user.id);
    await rewind(stub, (sql) => {
      backTo20(sql);
      // The shape before step 21: the unique index, no table.
      expect(sql.exec(INDEX_SQL).one().sql).toContain("messages(client_id, sender)");
      expect(sql.exec("SELECT count(*) AS n FROM sqlite_master WHERE name = 'retry_keys'").one().n).toBe(0);
      expect(sql.exec("SELECT value FROM meta WHERE key = 'fts_upto'").one().value).toBe(String(RETRY_TAIL_SEQS));
    });

    const woken = userStub(host.user.id);
    const last = RETRY_TAIL_SEQS + 2;
    expect((await woken.stats()).seq).toBe(last);
    expect(await rows(host.user.id, INDEX_SQL)).toEqual([]);
    const { keys, upto } = await retryKeys(host.user.id);
    expect(upto).toBe(RETRY_TAIL_SEQS);
    const key = (k: { client_id: string; sender: string; seq: number }) =>
      `${k.client_id}@${k.sender === host.user.id ? "host" : "guest"}:${k.seq}`;
    expect(keys.map(key)).toEqual([
      "k1@host:1",
      "g2@host:2",
      ...guests.slice(0, RETRY_TAIL_SEQS - 2).map((a, i) => `g${i + 1}@guest:${a.seq}`),
    ]);
    expect(await hostedRows(host.user.id)).toEqual(before);

    // Retries, own and a guest's (its "g2" a key of its own beside the host's), from the table and
    // from the tail: the first answers, nothing stored.
    const h2 = await connect(host.token);
    h2.send({ type: "send", clientId: "k1", chat, text: "text k1" });
    expect(await h2.next("sent")).toEqual(own[0]);
    h2.send({ type: "send", clientId: "g2", chat: `u:${other.user.id}`, text: "text g2" });
    expect(await h2.next("sent", (f) => f.clientId === "g2")).toEqual(own[1]);
    for (const [i, answer] of guests.entries()) {
      expect(await woken.appendFromGuest(guest.user.id, guestMessage(`g${i + 1}`, 9))).toEqual({
        ok: true,
        value: answer,
      });
    }
    expect((await woken.stats()).seq).toBe(last);
    expect(await hostedRows(host.user.id)).toEqual(before);

    // A new key waits in the tail, and its retry finds it there.
    const [fresh] = await appendMany(host.user.id, guest.user.id, 1, 100);
    expect(fresh?.seq).toBe(last + 1);
    expect((await retryKeys(host.user.id)).keys).toHaveLength(RETRY_TAIL_SEQS);
    expect(await woken.appendFromGuest(guest.user.id, guestMessage("g100", 9))).toEqual({ ok: true, value: fresh });
    h2.close();
    await clearAlarms([], [host.user.id, guest.user.id, other.user.id]);
  });
});
