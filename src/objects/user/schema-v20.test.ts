// User schema step 20 (./schema-v20.ts: positions and a guest's retry key on
// `changes`) on an object written by the code before it. The object is made
// with today's code (a chat of two copies with an edit and reactions), put
// back into the shape of version 19 exactly, and opened again: every change
// row is kept without a position, a retried edit answers as before, a
// reaction still moves the message's one entry; then the chat is hosted and
// a change of a hosted message takes a position.

import { describe, expect, it } from "vitest";
import type { ClientFrame } from "../../shared/protocol";
import { rows } from "../../test/actions";
import { clearAlarms } from "../../test/groups";
import { connect, type TestSocket, userStub } from "../../test/helpers";
import { backTo19, changeRows, guestMessage, hostAndGuest, rewind } from "../../test/hosted";

async function update(socket: TestSocket, frame: ClientFrame & { clientId: string }) {
  socket.send(frame);
  return socket.next("update", (f) => f.clientId === frame.clientId);
}

describe("schema step 20 on an object written before it", () => {
  it("keeps every change row, retry and reaction entry; then a hosted change takes a position", async () => {
    const { host, guest, chat, stub } = await hostAndGuest();
    const h = await connect(host.token);
    h.send({ type: "send", clientId: "m1", chat, text: "before" });
    const sent = await h.next("sent", (f) => f.clientId === "m1");
    const edit = await update(h, { type: "edit", clientId: "e1", id: sent.id, text: "edited" });
    await update(h, { type: "react", clientId: "r1", id: sent.id, emoji: "👍" });
    h.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
    const before = await changeRows(host.user.id);
    await rewind(stub, backTo19);

    const woken = userStub(host.user.id);
    expect((await woken.stats()).seq).toBe(before.at(-1)?.seq);
    const indexes = await rows<{ name: string }>(
      host.user.id,
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'changes' ORDER BY name",
    );
    expect(indexes.map((i) => i.name)).toEqual([
      "changes_by_client_id",
      "changes_by_guest_key",
      "changes_by_reacted",
      "changes_in_log",
    ]);
    expect(await changeRows(host.user.id)).toEqual(before);
    expect(before.map((r) => [r.kind, r.pos, r.guest])).toEqual([
      ["update", null, null],
      ["react", null, null],
    ]);
    // A retried edit answers the first answer (the message as it is now); a new reaction moves the one react entry.
    const h2 = await connect(host.token);
    const retried = await update(h2, { type: "edit", clientId: "e1", id: sent.id, text: "edited" });
    expect([retried.seq, retried.message.text, retried.message.editedAt]).toEqual([
      edit.seq,
      "edited",
      edit.message.editedAt,
    ]);
    const again = await update(h2, { type: "react", clientId: "r2", id: sent.id, emoji: "❤️" });
    expect((await changeRows(host.user.id)).map((r) => [r.kind, r.seq])).toEqual([
      ["update", edit.seq],
      ["react", again.seq],
    ]);
    // Hosting begins; a change of a hosted message takes the next position.
    const theirs = await woken.appendFromGuest(guest.user.id, guestMessage("g1", 1));
    const id = theirs.ok ? theirs.value.id : "";
    await update(h2, { type: "react", clientId: "r3", id, emoji: "👍" });
    expect((await changeRows(host.user.id)).map((r) => [r.kind, r.pos])).toEqual([
      ["update", null],
      ["react", null],
      ["reacted", 2],
    ]);
    h2.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  });
});
