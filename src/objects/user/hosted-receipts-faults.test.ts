// Crashes and failed calls around a hosted chat's receipts
// (./hosted-receipts.ts, ./hosted-acks.ts; docs/one-copy-per-chat.md "Step 3,
// as built"): a batch lost anywhere is handed again from the positions, and
// no id is receipted twice in what a sync replays.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { rows } from "../../test/actions";
import { crash } from "../../test/group-faults";
import { connect, userStub } from "../../test/helpers";
import { partsOf } from "../../test/hosted";
import { hostedChat, replayedReceipts, ticks } from "../../test/hosted-receipts";
import type { ReceiptHost } from "./hosted-receipts";

/** The ids of a status a fresh device of the user replays. */
async function replayed(token: string, status: "delivered" | "read"): Promise<string[]> {
  return (await replayedReceipts(token)).filter((r) => r.status === status).flatMap((r) => r.ids);
}

describe("a hosted chat's receipts, crashes", { timeout: 30_000 }, () => {
  it("the guest dies before its batch's row was written: the host's next batch finds it behind and hands it again", async () => {
    const { guest, h, ids, end } = await hostedChat(2);
    const [a = "", b = ""] = ids;
    h.send({ type: "received", ids: [a] });
    const { g } = { g: await connect(guest.token) };
    await g.speak();
    await g.until((s) => ticks(s, "delivered").includes(a));
    await crash(userStub(guest.user.id)); // the row waits for a commit (receipt-hold.ts): lost
    expect(await rows(guest.user.id, "SELECT * FROM receipts")).toEqual([]);
    h.send({ type: "received", ids: [b] });
    // Each once, whichever batch carried it (the crashed object's stub fails the first call, the retry asks).
    const again = async () => (await replayed(guest.token, "delivered")).sort();
    await expect.poll(again, { timeout: 5_000 }).toEqual([a, b].sort());
    await end(g);
  });

  it("the host dies after its read position was stored, before its batch left: its next batch after waking carries it", async () => {
    const { host, guest, chat, hostChat, g, h, ids, end } = await hostedChat(2);
    const [a = "", b = ""] = ids;
    h.send({ type: "read", chat: hostChat, upTo: b });
    await h.next("chat", (f) => f.chat === hostChat); // written: the read's chat row is written at once
    await crash(userStub(host.user.id)); // within the 250 ms the receipts gather
    expect(ticks(g, "read")).toEqual([]);
    const h2 = await connect(host.token);
    await h2.speak();
    g.send({ type: "send", clientId: "later", chat, text: "later" });
    const sent = await g.next("sent", (f) => f.clientId === "later");
    await h2.next("message", (f) => f.message.id === sent.id);
    h2.send({ type: "received", ids: [sent.id] });
    await g.until((s) => ticks(s, "read").length === 2 && ticks(s, "delivered").includes(sent.id));
    expect(ticks(g, "read")).toEqual([a, b]);
    expect((await replayed(guest.token, "read")).sort()).toEqual([a, b].sort());
    await end(h2);
  });

  it("the call to the guest fails: tried again, the guest's answer says what it lacks, each id once", async () => {
    const { host, guest, g, h, ids, end } = await hostedChat(2);
    let failures = 0;
    await runInDurableObject(userStub(host.user.id), (instance) => {
      const me = (partsOf(instance).hostedReceipts as unknown as { me: ReceiptHost }).me;
      const real = me.guest;
      me.guest = (id) => {
        if (failures > 0) return real(id);
        failures += 1;
        return { takeHostedReceipts: () => Promise.reject(new Error("Network connection lost.")) } as never;
      };
    });
    h.send({ type: "received", ids });
    await g.until((s) => ticks(s, "delivered").length === 2, 8_000);
    expect(failures).toBe(1);
    expect(ticks(g, "delivered")).toEqual(ids);
    expect(await replayed(guest.token, "delivered")).toEqual(ids);
    await end();
  });

  it("a batch whose `from` the guest no longer holds (its rows lost): answered with what it holds, not the batch's", async () => {
    const { host, guest, chat, ids, end } = await hostedChat(1);
    const a = ids[0] ?? "";
    const batch = (from: { delivered: string; read: string } | null) => ({
      items: [
        {
          kind: "receipts" as const,
          rid: `r.${from?.delivered}`,
          chat,
          status: "delivered" as const,
          ts: Date.now(),
          readers: { [host.user.id]: [a] },
        },
      ],
      upto: { delivered: a, read: "" },
      from,
    });
    const stub = userStub(guest.user.id);
    expect(await stub.takeHostedReceipts(host.user.id, batch({ delivered: `${a}~`, read: "" }))).toEqual({
      ok: true,
      value: { delivered: "", read: "" },
    });
    // Now it holds `a`: a batch that follows on from there is answered with the positions raised.
    expect(await stub.takeHostedReceipts(host.user.id, batch({ delivered: a, read: "" }))).toEqual({
      ok: true,
      value: { delivered: a, read: "" },
    });
    await end();
  });
});
