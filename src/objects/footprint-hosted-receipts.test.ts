// What a hosted chat's receipts cost in rows written, both objects
// (docs/one-copy-per-chat.md "Step 3, as built"), measured as
// ./footprint.test.ts measures today's one-to-one receipts: the reader's
// device acknowledges the first half of 200 messages one per frame, the
// second half ten per frame, and reads in steps of 10 throughout.
// Run alone to see the figures: npx vitest run --project workers src/objects/footprint-hosted-receipts.test.ts

import { describe, expect, it } from "vitest";
import type { ChatId } from "../shared/protocol";
import { type TestSocket, userStub } from "../test/helpers";
import { hostAndGuest, hostedSendOn } from "../test/hosted";
import { ticks } from "../test/hosted-receipts";
import { drain, MeteredSockets } from "../test/write-meter";

const N = 200;
const TEXT = "x".repeat(100);

/** Paced within the per-user frame budget of the workers tests (50/s, bursts of 100). */
async function paced(socket: TestSocket, frames: unknown[]): Promise<void> {
  for (let i = 0; i < frames.length; i++) {
    if (i > 0 && i % 40 === 0) await new Promise((r) => setTimeout(r, 1000));
    socket.send(frames[i]);
  }
}

/** The reader acknowledges `ids` (from..from+N/2) one or ten per frame and reads every tenth; rows per message. */
async function receipts(
  metered: MeteredSockets,
  reader: TestSocket,
  sender: TestSocket,
  chat: ChatId,
  ids: string[],
  from: number,
  perFrame: number,
  users: string[],
): Promise<number> {
  const half = N / 2;
  const detail = await metered.rows(async () => {
    const frames: unknown[] = [];
    for (let i = from; i < from + half; i += perFrame)
      frames.push({ type: "received", ids: ids.slice(i, i + perFrame) });
    for (let i = from + 9; i < from + half; i += 10) frames.push({ type: "read", chat, upTo: ids[i] });
    await paced(reader, frames);
    const last = ids[from + half - 1] ?? "";
    await sender.until((s) => ticks(s, "read").includes(last), 20_000);
    // Receipts rows wait up to RECEIPT_HOLD_MS (2 s) for a commit to ride (user/receipt-hold.ts): counted here.
    await new Promise((r) => setTimeout(r, 2_500));
  }, users);
  const rows = detail.byStatement.map(([q, n]) => `${(n / half).toFixed(3)} ${q.slice(0, 40)}`).join("; ");
  console.log(`footprint hosted receipts, ${perFrame} per frame, rows per message: ${rows}`);
  return detail.total / half;
}

describe("storage footprint, a hosted chat's receipts", { timeout: 120_000 }, () => {
  it("the host's receipts of its guest's messages, and the guest's of its host's, both objects", async () => {
    const { host, guest } = await hostAndGuest();
    await hostedSendOn(guest.user.id);
    const metered = new MeteredSockets();
    const [g, h] = await metered.connect(guest.token, host.token);
    const users = [host.user.id, guest.user.id];
    const guestIds: string[] = [];
    for (let i = 0; i < N; i++) {
      if (i > 0 && i % 40 === 0) await new Promise((r) => setTimeout(r, 1000));
      g.send({ type: "send", clientId: `g${i}`, chat: `u:${host.user.id}`, text: TEXT });
      guestIds.push((await g.next("sent", (f) => f.clientId === `g${i}`)).id);
    }
    await h.until((s) => s.of("message").length === N, 30_000);
    // The host's messages: entries of the guest's u:<host> run (user/hosted-push.ts), no row there.
    const hostIds: string[] = [];
    for (let i = 0; i < N; i++) {
      if (i > 0 && i % 40 === 0) await new Promise((r) => setTimeout(r, 1000));
      h.send({ type: "send", clientId: `h${i}`, chat: `u:${guest.user.id}`, text: TEXT });
      hostIds.push((await h.next("sent", (f) => f.clientId === `h${i}`)).id);
    }
    await g.until((s) => s.of("message").filter((f) => f.message.from === host.user.id).length === N, 30_000);
    await drain(users);
    await metered.start(userStub(host.user.id));
    const hostChat: ChatId = `u:${guest.user.id}`;
    const guestChat: ChatId = `u:${host.user.id}`;
    const a1 = await receipts(metered, h, g, hostChat, guestIds, 0, 1, users);
    const a10 = await receipts(metered, h, g, hostChat, guestIds, N / 2, 10, users);
    const b1 = await receipts(metered, g, h, guestChat, hostIds, 0, 1, users);
    const b10 = await receipts(metered, g, h, guestChat, hostIds, N / 2, 10, users);
    console.log(
      `footprint hosted receipts (read per 10), rows per message, both objects: the host's of the guest's messages ` +
        `${a1.toFixed(2)} one per frame, ${a10.toFixed(2)} ten per frame; the guest's of the host's ` +
        `${b1.toFixed(2)} one per frame, ${b10.toFixed(2)} ten per frame`,
    );
    metered.end();
    for (const x of [a1, a10, b1, b10]) {
      expect(x).toBeGreaterThan(0);
      expect(x).toBeLessThan(0.6); // today's one-to-one bound (./footprint.test.ts)
    }
  });
});
