// The guest's receipts of its host's messages in a hosted chat, as positions
// (./group-acks.ts routing `u:` ids of the log, ./hosted-acks.ts `hostedAck`;
// docs/one-copy-per-chat.md "Step 3, as built"). The host's messages reach
// the guest as entries of the log (./hosted-push.ts), with no row in its
// mailbox; a device of the guest syncs them.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { receiptRows, rows } from "../../test/actions";
import { crash } from "../../test/group-faults";
import { connect, register, type TestSocket, userStub } from "../../test/helpers";
import { partsOf } from "../../test/hosted";
import { hostedChat, replayedReceipts, ticks } from "../../test/hosted-receipts";
import type { GroupAcker } from "./group-acks";

/** The host sends `n` messages, entries of the guest's `u:<host>` run; a fresh device of the guest that synced. */
async function hostMessagesInLog(n: number) {
  const pair = await hostedChat(1);
  const { guest, hostChat, g, h } = pair;
  const own: string[] = [];
  for (let i = 0; i < n; i++) {
    h.send({ type: "send", clientId: `h${i}`, chat: hostChat, text: `host ${i}` });
    const sent = await h.next("sent", (f) => f.clientId === `h${i}`);
    await g.next("message", (f) => f.message.id === sent.id);
    own.push(sent.id);
  }
  g.close();
  const device = await connect(guest.token);
  device.send({ type: "sync", after: 0 });
  await device.next("synced");
  return { ...pair, own, device };
}

async function settled(socket: TestSocket, ms = 700): Promise<number> {
  await new Promise((r) => setTimeout(r, ms));
  return socket.of("receipt").length;
}

describe("the guest's receipts of a hosted chat", { timeout: 30_000 }, () => {
  it("reach the host as positions: ticks on its devices, replayed once, message info, the guest's unread count", async () => {
    const { host, guest, chat, hostChat, h, own, device, end } = await hostMessagesInLog(2);
    const [a = "", b = ""] = own;
    device.send({ type: "received", ids: [a, b] });
    await h.until((s) => ticks(s, "delivered").includes(b));
    expect(ticks(h, "delivered")).toEqual([a, b]);
    device.send({ type: "read", chat, upTo: b });
    await h.until((s) => ticks(s, "read").includes(b));
    expect(ticks(h, "read")).toEqual([a, b]);
    for (const r of h.of("receipt")) expect(r).toMatchObject({ chat: hostChat, by: guest.user.id });
    await device.until((s) => s.of("chat").some((f) => f.chat === chat && f.unread === 0));
    // Repeated: nothing more.
    const before = h.of("receipt").length;
    device.send({ type: "received", ids: own });
    device.send({ type: "read", chat, upTo: b });
    expect(await settled(h)).toBe(before);

    const stored = await receiptRows<{ chat: string; by: string }>(host.user.id, "SELECT chat, by FROM receipts");
    // One batch per acknowledgement and status (the guest gathers its devices' `received` for 250 ms).
    expect(stored).toEqual([
      { chat: hostChat, by: "*" },
      { chat: hostChat, by: "*" },
    ]);
    expect(await rows(guest.user.id, "SELECT * FROM outbox")).toEqual([]);
    const replay = await replayedReceipts(host.token);
    expect(replay.map((r) => [r.status, r.ids])).toEqual([
      ["delivered", [a, b]],
      ["read", [a, b]],
    ]);
    const info = await userStub(host.user.id).receiptsOf(hostChat, a);
    expect(info.ok && info.value.marks).toEqual([
      { user: guest.user.id, deliveredAt: expect.any(Number), readAt: expect.any(Number) },
    ]);
    await end(device);
  });

  it("the host dies before the guest's batch rows were written: the guest's next read covers them again", async () => {
    const { host, chat, hostChat, own, device, end } = await hostMessagesInLog(2);
    const [a = "", b = ""] = own;
    const h2 = await connect(host.token);
    await h2.speak();
    device.send({ type: "received", ids: [a] });
    await h2.until((s) => ticks(s, "delivered").includes(a));
    await crash(userStub(host.user.id));
    expect(await rows(host.user.id, "SELECT * FROM receipts")).toEqual([]);
    const h3 = await connect(host.token);
    await h3.speak();
    device.send({ type: "read", chat, upTo: b });
    await h3.until((s) => ticks(s, "read").includes(b));
    expect(ticks(h3, "read")).toEqual([a, b]);
    const replay = await replayedReceipts(host.token);
    expect(replay.map((r) => [r.status, r.ids])).toEqual([["read", [a, b]]]);
    const info = await userStub(host.user.id).receiptsOf(hostChat, a);
    expect(info.ok && info.value.marks[0]?.readAt).toEqual(expect.any(Number));
    await end(device, h2, h3);
  });

  it("the host unreachable for a read: unavailable, nothing marked at the host; read again, it is", async () => {
    const { host, guest, chat, h, own, device, end } = await hostMessagesInLog(1);
    const a = own[0] ?? "";
    // A fault injector over the guest's namespace, for the host's stub: its `hostedAck` throws.
    let real: Env | undefined;
    await runInDurableObject(userStub(guest.user.id), (instance) => {
      const me = (partsOf(instance).groupAcks as unknown as { me: GroupAcker }).me;
      real = me.env;
      const users = real.USERS;
      const failing = {
        idFromName: (name: string) => users.idFromName(name),
        get: () => ({ hostedAck: () => Promise.reject(new Error("Network connection lost.")) }),
      };
      me.env = { ...real, USERS: failing as unknown as Env["USERS"] };
    });
    device.send({ type: "read", chat, upTo: a });
    const refused = await device.next("error");
    expect(refused.code).toBe("unavailable");
    expect(await settled(h)).toBe(0);
    expect(await receiptRows(host.user.id, "SELECT * FROM receipts")).toEqual([]);
    await runInDurableObject(userStub(guest.user.id), (instance) => {
      (partsOf(instance).groupAcks as unknown as { me: GroupAcker }).me.env = real as Env;
    });
    device.send({ type: "read", chat, upTo: a });
    await h.until((s) => ticks(s, "read").includes(a));
    expect(ticks(h, "read")).toEqual([a]);
    await end(device);
  });

  it("refusals: a user not the chat's guest acknowledging (not_found, nothing stored); message info of the host's message at the guest (not_your_message)", async () => {
    const { host, guest, chat, h, own, end } = await hostMessagesInLog(1);
    const a = own[0] ?? "";
    const other = await register();
    const answer = await userStub(host.user.id).hostedAck(other.user.id, a, a, a);
    expect(!answer.ok && answer.error.code).toBe("not_found");
    expect(await settled(h, 400)).toBe(0);
    expect(await receiptRows(host.user.id, "SELECT * FROM receipts")).toEqual([]);
    const info = await userStub(guest.user.id).receiptsOf(chat, a);
    expect(!info.ok && info.error.code).toBe("not_your_message");
    await end();
  });

  it("the guest dies after its read was answered, before its row was written: its next pull takes the read back from the host", async () => {
    const { guest, chat, h, own, device, end } = await hostMessagesInLog(2);
    const b = own[1] ?? "";
    device.send({ type: "read", chat, upTo: b });
    await h.until((s) => ticks(s, "read").includes(b));
    await crash(userStub(guest.user.id)); // the row's read position waits for its next batch (group-chats.ts)
    const stored = await rows<{ read_upto: string }>(
      guest.user.id,
      "SELECT read_upto FROM group_chats WHERE chat = ?",
      chat,
    );
    expect(stored).toEqual([{ read_upto: "" }]);
    const fresh = await connect(guest.token);
    fresh.send({ type: "sync", after: 0 });
    await fresh.next("synced");
    const row = await runInDurableObject(userStub(guest.user.id), (instance) => partsOf(instance).groups.get(chat));
    expect(row).toMatchObject({ readUpto: b, unread: 0 });
    // Nothing was receipted again.
    expect(ticks(h, "read")).toEqual(own);
    await end(device, fresh);
  });

  for (const dies of [false, true]) {
    it(`an edit by the host: the guest's next read is receipted again, message info's read time after the edit${dies ? " (the host dies after the edit)" : ""}`, async () => {
      const { host, chat, hostChat, h, own, device, end } = await hostMessagesInLog(2);
      const [a = "", b = ""] = own;
      device.send({ type: "read", chat, upTo: b });
      await h.until((s) => ticks(s, "read").includes(b));
      h.send({ type: "edit", clientId: "e1", id: a, text: "edited" });
      const edited = await h.next("update", (f) => f.clientId === "e1");
      const info = async () => {
        const answer = await userStub(host.user.id).receiptsOf(hostChat, a);
        return answer.ok ? answer.value.marks[0]?.readAt : undefined;
      };
      expect(await info()).toBeNull();
      let hosts = h;
      if (dies) {
        await crash(userStub(host.user.id));
        hosts = await connect(host.token);
        await hosts.speak();
      }
      const before = ticks(hosts, "read").length;
      device.send({ type: "read", chat, upTo: b });
      await hosts.until((s) => ticks(s, "read").length > before);
      expect(ticks(hosts, "read").slice(before)).toEqual([a, b]);
      expect(await info()).toBeGreaterThanOrEqual(edited.message.editedAt ?? Number.POSITIVE_INFINITY);
      await end(device, hosts);
    });
  }
});
