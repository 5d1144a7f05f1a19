// The guest's changes of a hosted message (./hosted-guest-edit.ts) when the
// answer is lost after the host stored the change, or the guest's object dies
// before it took it: nothing answered is lost, nothing shown twice. And what
// keeps today's path: a copy from before hosting, a key used for another action.

import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ChatId } from "../../shared/protocol";
import { crash } from "../../test/group-faults";
import { connect, type TestSocket, userStub } from "../../test/helpers";
import { changeRows, guestRuns, hostedDevices, hostedRows, hostedSendOn } from "../../test/hosted";
import { hostFails } from "../../test/hosted-faults";
import { archiveAll, configureArchive, TINY } from "../../test/mailbox-archive";

afterEach(() => {
  vi.restoreAllMocks();
});

async function sendText(socket: TestSocket, chat: ChatId, clientId: string, text = `text ${clientId}`) {
  socket.send({ type: "send", clientId, chat, text });
  return socket.next("sent", (f) => f.clientId === clientId);
}

/** The `update` frames a fresh device of this user gets for `chat` on sync: [seq, clientId, text]. */
async function replayedUpdates(token: string, chat: ChatId) {
  const fresh = await connect(token);
  await fresh.speak();
  fresh.close();
  return fresh
    .of("update")
    .filter((f) => f.message.chat === chat)
    .map((f) => [f.seq, f.clientId, f.message.text]);
}

describe("the guest's changes of a hosted message: lost answers", { timeout: 60_000 }, () => {
  it("stored at the host, the answer lost: the next send takes it first, in order; its retry answers its seq", async () => {
    const { host, guest, chat, g1, g2, end } = await hostedDevices();
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const sent = await sendText(g1, chat, "c1");
    const restore = await hostFails(guest.user.id, host.user.id, "hostedChange", true);
    g1.send({ type: "edit", clientId: "e1", id: sent.id, text: "edited" });
    expect((await g1.next("error", (f) => f.clientId === "e1")).code).toBe("unavailable");
    // At the host, not yet at the guest.
    expect((await changeRows(host.user.id)).map((r) => [r.pos, r.guest_client_id])).toEqual([[2, "e1"]]);
    expect(await guestRuns(guest.user.id)).toMatchObject([{ chat, upto_pos: 1, run_count: 1 }]);
    await restore();
    const next = await sendText(g1, chat, "c2");
    // The send read the log's gap: the edit was taken before the new message, and shown first.
    await g2.next("message", (f) => f.message.id === next.id);
    const shown = await g2.next("update", (f) => f.clientId === "e1");
    expect(shown.seq).toBeLessThan(next.seq);
    expect(g2.frames.indexOf(shown)).toBeLessThan(
      g2.frames.findIndex((f) => typeof f !== "string" && f.type === "message" && f.message.id === next.id),
    );
    g1.send({ type: "edit", clientId: "e1", id: sent.id, text: "edited" });
    await g1.until((s) => s.of("update").filter((f) => f.clientId === "e1").length === 2);
    expect(g1.of("update").filter((f) => f.clientId === "e1")[1]).toMatchObject({ seq: shown.seq });
    expect((await changeRows(host.user.id)).map((r) => r.guest_client_id)).toEqual(["e1"]);
    expect(await guestRuns(guest.user.id)).toMatchObject([{ chat, upto_pos: 3, run_count: 3 }]);
    expect(await replayedUpdates(guest.token, chat)).toEqual([[shown.seq, "e1", "edited"]]);
    await end();
  });

  it("stored at the host, the answer lost and the guest's object dead: the retry after the wake takes it once", async () => {
    const { host, guest, chat, g1, end } = await hostedDevices();
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const sent = await sendText(g1, chat, "c1");
    await hostFails(guest.user.id, host.user.id, "hostedChange", true);
    g1.send({ type: "react", clientId: "r1", id: sent.id, emoji: "👍" });
    expect((await g1.next("error", (f) => f.clientId === "r1")).code).toBe("unavailable");
    await crash(userStub(guest.user.id));
    await hostedSendOn(guest.user.id);
    const device = await connect(guest.token);
    await device.speak();
    // The wake's sync may have pulled the entry already (and replayed it): the answer is the frame after those.
    const r1 = (s: TestSocket) => s.of("update").filter((f) => f.clientId === "r1");
    const replayed = r1(device).length;
    device.send({ type: "react", clientId: "r1", id: sent.id, emoji: "👍" });
    await device.until((s) => r1(s).length === replayed + 1);
    const answer = r1(device)[replayed];
    if (!answer) throw new Error("no answer");
    if (replayed > 0) expect(answer.seq).toBe(r1(device)[0]?.seq);
    expect(answer.message).toMatchObject({ id: sent.id, seq: sent.seq, reactions: [{ emoji: "👍" }] });
    expect((await changeRows(host.user.id)).map((r) => [r.kind, r.guest_client_id])).toEqual([["reacted", "r1"]]);
    // Taken once, at position 2 (a seq after the wake may open a new run).
    expect(await guestRuns(guest.user.id)).toMatchObject([{ chat, upto_pos: 2 }]);
    expect(await replayedUpdates(guest.token, chat)).toEqual([[answer.seq, "r1", "text c1"]]);
    await end(device);
  });
});

describe("the guest's changes: what keeps today's path or is refused here", () => {
  it("a copy from before hosting is changed as today: its row here, the host's copy through the outbox", async () => {
    const { host, guest, chat, g1, h, end } = await hostedDevices(false);
    const old = await sendText(g1, chat, "o1");
    await hostedSendOn(guest.user.id);
    await sendText(g1, chat, "c1");
    const runs = await guestRuns(guest.user.id);
    g1.send({ type: "edit", clientId: "e1", id: old.id, text: "old, edited" });
    const edit = await g1.next("update", (f) => f.clientId === "e1");
    expect(edit.message).toMatchObject({ id: old.id, text: "old, edited", seq: old.seq });
    await h.next("update", (f) => f.message.id === old.id);
    expect((await hostedRows(guest.user.id)).map((r) => [r.id, r.text, r.pos])).toEqual([
      [old.id, "old, edited", null],
    ]);
    expect((await changeRows(guest.user.id)).map((r) => [r.client_id, r.pos])).toEqual([["e1", null]]);
    expect(await guestRuns(guest.user.id)).toEqual(runs);
    // At the host: the copy changed, not an entry of the log (no position, no guest key).
    expect((await changeRows(host.user.id)).map((r) => [r.target, r.pos, r.guest_client_id])).toEqual([
      [old.id, null, null],
    ]);
    await end();
  });

  it("a copy from before hosting moved to R2: `message_archived`, as today (the host does not have it in its log)", async () => {
    const { host, guest, chat, g1, h, end } = await hostedDevices(false);
    const early: string[] = [];
    for (let i = 0; i < 12; i++) early.push((await sendText(h, `u:${guest.user.id}`, `h${i}`)).id);
    await g1.until((s) => s.of("message").length >= 12);
    await configureArchive(guest.user.id, TINY);
    expect(await archiveAll(guest.user.id)).toBeGreaterThan(0);
    await hostedSendOn(guest.user.id);
    await sendText(g1, chat, "c1");
    const target = early[0] as string;
    expect((await hostedRows(guest.user.id)).map((r) => r.id)).not.toContain(target);
    const before = { host: await changeRows(host.user.id), guest: await changeRows(guest.user.id) };
    for (const frame of [
      { type: "react", clientId: "a1", id: target, emoji: "👍" },
      { type: "edit", clientId: "a2", id: target, text: "x" },
      { type: "delete", clientId: "a3", id: target, for: "me" },
    ]) {
      g1.send(frame);
      expect((await g1.next("error", (f) => f.clientId === frame.clientId)).code).toBe("message_archived");
    }
    expect({ host: await changeRows(host.user.id), guest: await changeRows(guest.user.id) }).toEqual(before);
    await end();
  });

  it("a clientId used for another change: `invalid_field` from the host, nothing written", async () => {
    const { host, guest, chat, g1, end } = await hostedDevices();
    const sent = await sendText(g1, chat, "c1");
    g1.send({ type: "edit", clientId: "k1", id: sent.id, text: "edited" });
    await g1.next("update", (f) => f.clientId === "k1");
    const before = { host: await changeRows(host.user.id), runs: await guestRuns(guest.user.id) };
    g1.send({ type: "delete", clientId: "k1", id: sent.id, for: "everyone" });
    expect((await g1.next("error", (f) => f.clientId === "k1")).code).toBe("invalid_field");
    expect({ host: await changeRows(host.user.id), runs: await guestRuns(guest.user.id) }).toEqual(before);
    expect(
      await runInDurableObject(userStub(host.user.id), (_i, s) =>
        s.storage.sql.exec("SELECT 1 FROM messages WHERE deleted_at IS NOT NULL").toArray(),
      ),
    ).toEqual([]);
    await end();
  });
});
