// The host's hand-over in a hosted chat (./hosted-push.ts, docs/one-copy-per-chat.md
// "Pushes, as built"): the host's own messages and changes with a position in
// the log reach the guest as entries, taken into its `u:<host>` row; the guest
// stores no row. Real objects and sockets; the guest's send switched on.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, userStub } from "../../test/helpers";
import { guestMessage, guestRuns, hostedRows, partsOf } from "../../test/hosted";
import { hostedPair, latest, say, shown, standing } from "../../test/hosted-push";

/** Whether the host's peer log still owes message `id` to the guest (`handed` is before it). */
function owed(hostId: string, guestId: string, id: string): Promise<boolean> {
  return runInDurableObject(userStub(hostId), (i) => partsOf(i).peers.isOwed(guestId, id));
}

describe("the host's messages in a hosted chat", () => {
  it("reach the guest's devices at the guest's seqs, no row stored; a fresh sync shows both sides once, in order", async () => {
    const { host, guest, atGuest, atHost, g, h, device, end } = await hostedPair();
    const second = await device(guest.token);
    const g1 = await say(g, atGuest, "g1", "guest one"); // hosting begins
    const h1 = await say(h, atHost, "h1", "host one");
    const h2 = await say(h, atHost, "h2", "host two");
    const g2 = await say(g, atGuest, "g2", "guest two");
    const h3 = await say(h, atHost, "h3", "host three");
    for (const s of [g, second]) await s.until((x) => shown(x, atGuest).some(([id]) => id === h3.id));
    const live = shown(second, atGuest);
    expect(live.map(([id]) => id)).toEqual([g1.id, h1.id, h2.id, g2.id, h3.id]);
    // The guest's seqs, one after another: the host's entries took seqs of the guest's mailbox.
    expect(live.map(([, seq]) => seq)).toEqual([g1.seq, g1.seq + 1, g1.seq + 2, g2.seq, g2.seq + 1]);
    expect(g2.seq).toBe(g1.seq + 3);
    // The host's rows have positions 1..5; the guest stores no message row, one run.
    expect((await hostedRows(host.user.id)).map((r) => r.pos)).toEqual([1, 2, 3, 4, 5]);
    expect(await hostedRows(guest.user.id)).toEqual([]);
    expect(await standing(guest.user.id, atGuest)).toEqual([h3.id, 5]);
    const fresh = await device(guest.token);
    expect(shown(fresh, atGuest)).toEqual(live);
    await end();
  });

  it("sent before hosting began still arrive as copies, and a batch of copies then entries keeps its order", async () => {
    const { host, guest, atGuest, atHost, g, h, device, end } = await hostedPair();
    const before = await say(h, atHost, "b1", "before hosting");
    await g.until((x) => shown(x, atGuest).some(([id]) => id === before.id));
    const batches: string[][] = [];
    // The host's deliveries fail for a while: its next message before hosting and one after wait together.
    await runInDurableObject(userStub(host.user.id), (instance) => {
      const peers = partsOf(instance).peers;
      const real = peers.deliver;
      peers.deliver = async () => {
        throw new Error("Network connection lost.");
      };
      (globalThis as { restoreDeliver?: () => void }).restoreDeliver = () => {
        peers.deliver = (target, items) => {
          batches.push(items.map((i) => (i.kind === "message" ? i.id : i.kind)));
          return real(target, items);
        };
      };
    });
    const copy = await say(h, atHost, "b2", "also before");
    const g1 = await say(g, atGuest, "g1", "guest one"); // hosting begins after `copy`
    const after = await say(h, atHost, "a1", "after hosting");
    await runInDurableObject(userStub(host.user.id), async (instance) => {
      (globalThis as { restoreDeliver?: () => void }).restoreDeliver?.();
      const parts = partsOf(instance);
      parts.peers.dueNow();
      await parts.peers.retryDue();
    });
    await g.until((x) => shown(x, atGuest).some(([id]) => id === after.id));
    expect(batches[0]).toEqual([copy.id, after.id]);
    // The two before hosting are rows of the guest's mailbox; the one after is not.
    expect((await hostedRows(guest.user.id)).map((r) => r.id)).toEqual([before.id, copy.id]);
    expect((await hostedRows(host.user.id)).map((r) => [r.id, r.pos])).toEqual([
      [before.id, null],
      [copy.id, null],
      [g1.id, 1],
      [after.id, 2],
    ]);
    const live = shown(g, atGuest);
    expect(live.map(([id]) => id)).toEqual([before.id, g1.id, copy.id, after.id]);
    const fresh = await device(guest.token);
    expect(shown(fresh, atGuest)).toEqual(live);
    await end();
  });

  it("reach a guest with no device: its next device's sync shows them once", async () => {
    const { host, guest, atGuest, atHost, g, h, device, end } = await hostedPair();
    const g1 = await say(g, atGuest, "g1");
    g.close();
    await g.waitClosed();
    const h1 = await say(h, atHost, "h1");
    const h2 = await say(h, atHost, "h2");
    // Handed over: the host's peer log confirmed both.
    await expect.poll(() => owed(host.user.id, guest.user.id, h2.id)).toBe(false);
    expect(await hostedRows(guest.user.id)).toEqual([]);
    const later = await device(guest.token);
    expect(shown(later, atGuest).map(([id]) => id)).toEqual([g1.id, h1.id, h2.id]);
    await end();
  });

  it("from a host the guest blocked are taken hidden: no frame, not in a sync, as a blocked peer's copies are dropped", async () => {
    const { host, guest, atGuest, atHost, g, h, device, end } = await hostedPair();
    const g1 = await say(g, atGuest, "g1");
    const res = await api("/api/me/blocked", { method: "POST", token: guest.token, body: { userId: host.user.id } });
    expect(res.status).toBeLessThan(300);
    const h1 = await say(h, atHost, "h1");
    await expect.poll(() => owed(host.user.id, guest.user.id, h1.id)).toBe(false);
    expect(shown(g, atGuest).map(([id]) => id)).toEqual([g1.id]);
    expect(await standing(guest.user.id, atGuest)).toEqual([h1.id, 2]);
    const fresh = await device(guest.token);
    expect(shown(fresh, atGuest).map(([id]) => id)).toEqual([g1.id]);
    expect(await hostedRows(guest.user.id)).toEqual([]);
    await end();
  });

  it("with the guest's send off, still go as copies (the guest's object answers that it takes copies)", async () => {
    const { host, guest, atGuest, atHost, g, h, end } = await hostedPair(false);
    // Hosting begins with a guest's message stored at the host (as the guest's send would).
    const stored = await userStub(host.user.id).appendFromGuest(guest.user.id, guestMessage("x", 1));
    expect(stored.ok).toBe(true);
    const h1 = await say(h, atHost, "h1");
    await g.until((x) => shown(x, atGuest).some(([id]) => id === h1.id));
    expect((await hostedRows(host.user.id)).map((r) => r.pos)).toEqual([1, 2]);
    expect((await hostedRows(guest.user.id)).map((r) => r.id)).toEqual([h1.id]);
    expect(await guestRuns(guest.user.id)).toEqual([]);
    await end();
  });
});

describe("the host's changes in a hosted chat", () => {
  it("edit, reaction and delete for everyone reach the guest's devices as updates, as entries of its run", async () => {
    const { host, guest, atGuest, atHost, g, h, device, end } = await hostedPair();
    const g1 = await say(g, atGuest, "g1", "guest one");
    const h1 = await say(h, atHost, "h1", "host one");
    const h2 = await say(h, atHost, "h2", "host two");
    await g.until((x) => shown(x, atGuest).some(([id]) => id === h2.id));
    const seqOf = (id: string) => shown(g, atGuest).find(([i]) => i === id)?.[1];
    h.send({ type: "edit", clientId: "e1", id: h1.id, text: "host one, edited" });
    const edited = await g.next("update", (f) => f.message.id === h1.id && f.message.text === "host one, edited");
    expect(edited.message.seq).toBe(seqOf(h1.id));
    expect(edited.seq).toBeGreaterThan(seqOf(h2.id) ?? 0);
    h.send({ type: "react", clientId: "r1", id: g1.id, emoji: "👍" });
    const reacted = await g.next("update", (f) => f.message.id === g1.id);
    expect(reacted.message.seq).toBe(g1.seq);
    expect(reacted.message.reactions).toEqual([expect.objectContaining({ from: host.user.id, emoji: "👍" })]);
    h.send({ type: "delete", clientId: "d1", id: h2.id, for: "everyone" });
    const deleted = await g.next("update", (f) => f.message.id === h2.id && f.message.deletedAt !== undefined);
    expect(deleted.message).toMatchObject({ text: "", seq: seqOf(h2.id) });
    // Nothing stored at the guest: no message row, and its changes are entries of its run (3 + 3 positions).
    expect(await hostedRows(guest.user.id)).toEqual([]);
    expect((await standing(guest.user.id, atGuest))?.[1]).toBe(6);
    const fresh = await device(guest.token);
    for (const id of [g1.id, h1.id, h2.id]) expect(latest(fresh, id)).toEqual(latest(g, id));
    expect(shown(fresh, atGuest).map(([id]) => id)).toEqual([g1.id, h1.id, h2.id]);
    await end();
  });

  it("a change of a message from before hosting still goes as a copy", async () => {
    const { guest, atGuest, atHost, g, h, end } = await hostedPair();
    const before = await say(h, atHost, "b1", "before hosting");
    await g.until((x) => shown(x, atGuest).some(([id]) => id === before.id));
    await say(g, atGuest, "g1");
    h.send({ type: "edit", clientId: "e1", id: before.id, text: "before, edited" });
    await g.next("update", (f) => f.message.id === before.id && f.message.text === "before, edited");
    const rows = await runInDurableObject(userStub(guest.user.id), (_i, state) =>
      state.storage.sql.exec<{ text: string }>("SELECT text FROM messages").toArray(),
    );
    expect(rows).toEqual([{ text: "before, edited" }]);
    await end();
  });
});
