// User schema step 19 (./schema-v19.ts: the retry key (sender, clientId), a
// guest's seq, positions, `hosted_from`) on an object written by the code
// before it. The object is made with today's code (a one-to-one chat of two
// copies, both ways, and another chat), then put back into the shape of
// version 18 exactly (the new columns dropped, the retry key on client_id
// alone). Opened by today's code it finds every message at its seq, answers
// a retried send as before, keeps its chat rows (none hosted), and then
// hosts the chat: a guest's key equal to an own one is a key of its own.

import { describe, expect, it } from "vitest";
import { rows } from "../../test/actions";
import { clearAlarms } from "../../test/groups";
import { connect, register, type TestSocket, userStub } from "../../test/helpers";
import {
  backTo18,
  guestMessage,
  hostAndGuest,
  hostedRows,
  hostedSendOff,
  rewind,
  storedChats,
} from "../../test/hosted";

async function sent(socket: TestSocket, chat: string, clientId: string) {
  socket.send({ type: "send", clientId, chat, text: `text ${clientId}` });
  return socket.next("sent", (f) => f.clientId === clientId);
}

/** The retry keys, since step 21 in a table and its tail of newer rows (./retry-keys.ts): every key a lookup finds. */
const KEYS_SQL = `SELECT k.client_id, m.sender, k.seq FROM retry_keys k JOIN messages m USING (seq)
  UNION ALL SELECT client_id, sender, seq FROM messages
    WHERE client_id IS NOT NULL AND seq > (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'retry_upto')
  ORDER BY seq`;

describe("schema step 19 on an object written before it", () => {
  it("keeps every message, retry key and chat row; then hosts the chat", { timeout: 60_000 }, async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    const other = await register();
    // A chat of two copies first, whatever the run's HOSTED_GUEST_SEND (the host's pin goes with the rewind:
    // its id sorts first here, and its chat with `other` has no messages after it).
    await hostedSendOff(host.user.id);
    await hostedSendOff(guest.user.id);
    const h = await connect(host.token);
    const g = await connect(guest.token);
    const own = [await sent(h, chat, "k1"), await sent(h, chat, "k2")];
    const theirs = await sent(g, `u:${host.user.id}`, "k1"); // the guest's own key, in its own mailbox
    await h.next("message", (f) => f.message.id === theirs.id);
    const elsewhere = await sent(h, `u:${other.user.id}`, "k3");
    h.close();
    g.close();
    await clearAlarms([], [host.user.id, guest.user.id, other.user.id]);
    const before = await hostedRows(host.user.id);
    const chatsBefore = await rows(host.user.id, "SELECT * FROM chats ORDER BY chat");
    await rewind(stub, backTo18);

    const woken = userStub(host.user.id);
    expect((await woken.stats()).seq).toBe(4);
    expect(await rows(host.user.id, KEYS_SQL)).toEqual([
      { client_id: "k1", sender: host.user.id, seq: 1 },
      { client_id: "k2", sender: host.user.id, seq: 2 },
      { client_id: "k3", sender: host.user.id, seq: 4 },
    ]);
    // Every message at its seq, none hosted; the chat rows as they were, none hosted.
    expect(await hostedRows(host.user.id)).toEqual(before);
    expect(before.map((r) => [r.id, r.client_id, r.guest_seq, r.pos])).toEqual([
      [own[0]?.id, "k1", null, null],
      [own[1]?.id, "k2", null, null],
      [theirs.id, null, null, null],
      [elsewhere.id, "k3", null, null],
    ]);
    const chatsAfter = await rows(host.user.id, "SELECT * FROM chats ORDER BY chat");
    expect(chatsAfter).toEqual(chatsBefore.map((row) => ({ ...row, hosted_from: null, next_pos: null })));
    expect((await woken.history(chat, undefined, 10)).map((m) => m.id)).toEqual([own[0]?.id, own[1]?.id, theirs.id]);

    // A retried send answers as before: the same id, seq and time.
    const h2 = await connect(host.token);
    h2.send({ type: "send", clientId: "k1", chat, text: "text k1" });
    expect(await h2.next("sent")).toEqual(own[0]);
    expect((await woken.stats()).seq).toBe(4);

    // The chat becomes hosted: the guest's "k1" is its own key beside the host's.
    const hosted = await woken.appendFromGuest(guest.user.id, guestMessage("k1", 9));
    expect(hosted.ok && hosted.value).toMatchObject({ seq: 5, pos: 1, guestSeq: 9 });
    expect((await storedChats(host.user.id)).find((c) => c.chat === chat)).toMatchObject({
      hosted_from: theirs.id,
      next_pos: 2,
    });
    h2.send({ type: "send", clientId: "k1", chat, text: "text k1" });
    await h2.until((s) => s.of("sent").length === 2);
    expect(h2.of("sent")[1]).toEqual(own[0]);
    expect(await woken.appendFromGuest(guest.user.id, guestMessage("k1", 10))).toEqual(hosted);
    h2.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  });
});
