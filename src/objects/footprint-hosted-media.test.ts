// What a one-to-one message with media costs in Durable Object storage, the
// method of ./footprint.test.ts (SQLite rows written by every object of the
// test, index entries included; an alarm set counts as one): today's two
// copies, and the guest's send to its host behind HOSTED_GUEST_SEND
// (user/hosted-send.ts), both with the uploader's grant. The uploads are made
// before the count. Run alone to see the figures:
// npx vitest run --project workers src/objects/footprint-hosted-media.test.ts

import { describe, expect, it } from "vitest";
import { clearAlarms } from "../test/groups";
import { userStub } from "../test/helpers";
import { hostAndGuest, hostedSendOff, hostedSendOn } from "../test/hosted";
import { mediaOf } from "../test/hosted-media";
import { PNG } from "../test/images";
import { uploaded } from "../test/media";
import { MeteredSockets, perItem } from "../test/write-meter";

// As in ./footprint.test.ts: the search index is fed in batches of 64 seqs, so fewer would leave its rows out.
const N = 200;
const TEXT = "x".repeat(100);

/** Rows written per message with media from the guest to its host's chat, the switch on or off. */
async function perMediaMessage(on: boolean): Promise<number> {
  const { host, guest } = await hostAndGuest();
  // Off pinned, whatever the run's HOSTED_GUEST_SEND: today's two copies.
  await (on ? hostedSendOn : hostedSendOff)(guest.user.id);
  const uploads: Awaited<ReturnType<typeof uploaded>>[] = [];
  for (let i = 0; i < N; i++) uploads.push(await uploaded(guest.token, "photo", PNG));
  const metered = new MeteredSockets();
  const [g, h] = await metered.connect(guest.token, host.token);
  await Promise.all([g.speak(), h.speak()]);
  await metered.start(userStub(guest.user.id));
  const chat = `u:${host.user.id}` as const;
  const detail = await metered.rows(async () => {
    for (let i = 0; i < N; i++) {
      // Paced within the per-user frame budget of the workers tests (50/s, bursts of 100).
      if (i > 0 && i % 40 === 0) await new Promise((r) => setTimeout(r, 1000));
      g.send({
        type: "send",
        clientId: `m${i}`,
        chat,
        text: TEXT,
        media: mediaOf(uploads[i] as (typeof uploads)[number]),
      });
      await g.next("sent", (f) => f.clientId === `m${i}`);
    }
    await h.until((s) => s.of("message").length === N, 30_000);
  }, [host.user.id, guest.user.id]);
  const label = on ? "hosted (guest's send on)" : "today (two copies)";
  console.log(`footprint 1:1 media, ${label}, both objects, rows per message:\n${perItem(detail, N)}`);
  console.log(`footprint 1:1 media ${label}: ${(detail.total / N).toFixed(2)} rows written per message`);
  metered.end();
  await clearAlarms([], [host.user.id, guest.user.id]);
  return detail.total / N;
}

describe("storage footprint, messages with media", { timeout: 120_000 }, () => {
  it("a guest's photo with a caption: today's two copies against the host's one copy", async () => {
    const today = await perMediaMessage(false);
    const hosted = await perMediaMessage(true);
    console.log(`footprint 1:1 media: ${today.toFixed(2)} rows today, ${hosted.toFixed(2)} hosted, per message`);
    // Measured 8.02 and 6.01: the text message's figures (./footprint.test.ts: 7.01 and 5.01) and the
    // uploader's one grant row each (one per message, whichever way it is stored).
    expect(hosted).toBeLessThan(today);
    expect(hosted).toBeLessThanOrEqual(6.1);
  });
});
