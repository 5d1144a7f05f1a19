// A guest's send or reaction in a hosted chat retried (same clientId) after
// the guest blocked its host (./hosted-send.ts, ./react.ts,
// ./hosted-guest-edit.ts): the contract's retry gets the first answer and
// stores nothing, as today's one-to-one send and reaction do (their key is
// found before the block is checked). The guest stores no key of a hosted
// message or change, so it asks the host whether the key is known, and only
// that: a send or reaction never tried is `blocked` and stores nothing on
// either side.

import { afterEach, describe, expect, it, vi } from "vitest";
import type { ChatId } from "../../shared/protocol";
import type { TestSocket } from "../../test/helpers";
import { userStub } from "../../test/helpers";
import { changeRows, guestRuns, hostedDevices, hostedRows } from "../../test/hosted";
import { hostFails } from "../../test/hosted-faults";

afterEach(() => {
  vi.restoreAllMocks();
});

async function sendText(socket: TestSocket, chat: ChatId, clientId: string) {
  socket.send({ type: "send", clientId, chat, text: `text ${clientId}` });
  return socket.next("sent", (f) => f.clientId === clientId);
}

/** Both objects' rows a retry must leave as they were. */
async function both(hostId: string, guestId: string) {
  return {
    host: { rows: await hostedRows(hostId), changes: await changeRows(hostId) },
    guest: { rows: await hostedRows(guestId), changes: await changeRows(guestId), runs: await guestRuns(guestId) },
  };
}

/** Sends a react frame and answers its `n`-th answer (update or error) with that clientId. */
async function react(g: TestSocket, clientId: string, id: string, n: number) {
  g.send({ type: "react", clientId, id, emoji: "👍" });
  const answers = (s: TestSocket) =>
    s.frames.filter(
      (f) => typeof f !== "string" && (f.type === "update" || f.type === "error") && f.clientId === clientId,
    );
  await g.until((s) => answers(s).length >= n);
  return answers(g)[n - 1];
}

describe("a guest's send retried after it blocked its host", { timeout: 60_000 }, () => {
  it("answers the first answer and stores nothing; a new one is blocked and stores nothing", async () => {
    const { host, guest, chat, g1, g2, h, end } = await hostedDevices();
    const first = await sendText(g1, chat, "c1");
    await h.next("message", (f) => f.message.id === first.id);
    expect((await userStub(guest.user.id).block(host.user.id)).ok).toBe(true);
    const before = await both(host.user.id, guest.user.id);
    const again = async (clientId: string, n: number) => {
      g1.send({ type: "send", clientId, chat, text: `text ${clientId}` });
      const answers = (s: TestSocket) =>
        s.frames.filter(
          (f) => typeof f !== "string" && (f.type === "sent" || f.type === "error") && f.clientId === clientId,
        );
      await g1.until((s) => answers(s).length >= n);
      return answers(g1)[n - 1];
    };
    expect(await again("c1", 2)).toEqual(first);
    expect(await both(host.user.id, guest.user.id)).toEqual(before);
    expect(await again("c2", 1)).toMatchObject({ type: "error", code: "blocked", clientId: "c2" });
    expect(await again("c2", 2)).toMatchObject({ type: "error", code: "blocked", clientId: "c2" });
    expect(await both(host.user.id, guest.user.id)).toEqual(before);
    // Nothing new on the guest's other device, nor on the host's.
    expect(g2.of("message").filter((f) => f.message.chat === chat)).toHaveLength(1);
    expect(h.of("message")).toHaveLength(1);
    await end();
  });

  it("stored at the host, its answer lost, then the block: the retry answers sent at its seq, stored once", async () => {
    const { host, guest, chat, g1, g2, end } = await hostedDevices();
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const restore = await hostFails(guest.user.id, host.user.id, "appendFromGuest", true);
    g1.send({ type: "send", clientId: "c1", chat, text: "text c1" });
    expect((await g1.next("error", (f) => f.clientId === "c1")).code).toBe("unavailable");
    await restore();
    expect((await hostedRows(host.user.id)).map((r) => r.client_id)).toEqual(["c1"]);
    expect((await userStub(guest.user.id).block(host.user.id)).ok).toBe(true);
    const sent = await sendText(g1, chat, "c1");
    expect(sent.id).toBe((await hostedRows(host.user.id))[0]?.id);
    // Taken once, shown on the other device at the answer's seq; the host stored nothing more.
    expect((await g2.next("message", (f) => f.message.id === sent.id)).message.seq).toBe(sent.seq);
    expect(await hostedRows(host.user.id)).toHaveLength(1);
    expect(await guestRuns(guest.user.id)).toMatchObject([{ chat, upto_pos: 1 }]);
    await end();
  });
});

describe("a guest's reaction retried after it blocked its host", { timeout: 60_000 }, () => {
  it("answers the first answer and stores nothing; a new one is blocked and stores nothing", async () => {
    const { host, guest, chat, g1, end } = await hostedDevices();
    const mine = await sendText(g1, chat, "c1");
    const first = await react(g1, "r1", mine.id, 1);
    expect(first).toMatchObject({ type: "update", clientId: "r1", message: { id: mine.id } });
    expect((await userStub(guest.user.id).block(host.user.id)).ok).toBe(true);
    const before = await both(host.user.id, guest.user.id);
    expect(await react(g1, "r1", mine.id, 2)).toEqual(first);
    expect(await both(host.user.id, guest.user.id)).toEqual(before);
    // Never tried: blocked, as before, and nothing stored at the host.
    expect(await react(g1, "r2", mine.id, 1)).toMatchObject({ type: "error", code: "blocked", clientId: "r2" });
    expect(await both(host.user.id, guest.user.id)).toEqual(before);
    // Its retry: blocked again (the first answer), still nothing.
    expect(await react(g1, "r2", mine.id, 2)).toMatchObject({ type: "error", code: "blocked", clientId: "r2" });
    expect(await both(host.user.id, guest.user.id)).toEqual(before);
    await end();
  });

  it("stored at the host, its answer lost, then the block: the retry takes it at its seq, once", async () => {
    const { host, guest, chat, g1, g2, end } = await hostedDevices();
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const mine = await sendText(g1, chat, "c1");
    const restore = await hostFails(guest.user.id, host.user.id, "hostedChange", true);
    expect(await react(g1, "r1", mine.id, 1)).toMatchObject({ type: "error", code: "unavailable" });
    await restore();
    expect((await changeRows(host.user.id)).map((r) => [r.kind, r.guest_client_id])).toEqual([["reacted", "r1"]]);
    expect((await userStub(guest.user.id).block(host.user.id)).ok).toBe(true);
    const retry = await react(g1, "r1", mine.id, 2);
    expect(retry).toMatchObject({ type: "update", clientId: "r1", message: { id: mine.id } });
    // Taken once, shown on the other device at the same seq; the host stored nothing more.
    const shown = await g2.next("update", (f) => f.clientId === "r1");
    expect(retry).toMatchObject({ seq: shown.seq });
    expect(await changeRows(host.user.id)).toHaveLength(1);
    expect(await guestRuns(guest.user.id)).toMatchObject([{ chat, upto_pos: 2 }]);
    await end();
  });

  it("an unreachable host: unavailable (it may be a retry), nothing stored", async () => {
    const { host, guest, chat, g1, end } = await hostedDevices();
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const mine = await sendText(g1, chat, "c1");
    expect((await userStub(guest.user.id).block(host.user.id)).ok).toBe(true);
    const before = await both(host.user.id, guest.user.id);
    const restore = await hostFails(guest.user.id, host.user.id, "hostedChange", false);
    expect(await react(g1, "r1", mine.id, 1)).toMatchObject({ type: "error", code: "unavailable" });
    await restore();
    expect(await both(host.user.id, guest.user.id)).toEqual(before);
    await end();
  });
});
