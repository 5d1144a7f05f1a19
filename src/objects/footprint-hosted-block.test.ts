// Rows written per message and per change of a guest its host blocked, in a
// hosted chat, the guest's send switched on (docs/one-copy-per-chat.md,
// "Blocking in a hosted chat, as built"): both objects, measured as
// ./footprint.test.ts does (every SQLite row written in this isolate, index
// entries included). Run alone to see the figures:
//   npx vitest run --project workers src/objects/footprint-hosted-block.test.ts

import { describe, expect, it } from "vitest";
import { userStub } from "../test/helpers";
import { hostAndGuest, hostedSendOn } from "../test/hosted";
import { MeteredSockets, perItem } from "../test/write-meter";

const N = 200;
const CHANGES = 20;
const TEXT = "x".repeat(100); // the plan's average message

/**
 * Rows per guest message, edit and reaction at both objects, the host blocking the guest or not; `late`: the
 * block comes after the sends, so the changes are of rows the host saw (its own version is kept, ./user/host-views.ts).
 */
async function measure(blocked: boolean, late = false): Promise<Record<string, number>> {
  const { host, guest } = await hostAndGuest();
  await hostedSendOn(guest.user.id);
  if (blocked && !late) expect((await userStub(host.user.id).block(guest.user.id)).ok).toBe(true);
  const metered = new MeteredSockets();
  const [g, h] = await metered.connect(guest.token, host.token);
  const label = blocked ? (late ? "blocked after its sends" : "blocked") : "not blocked";
  await metered.start(userStub(guest.user.id));
  const users = [host.user.id, guest.user.id];
  const chat = `u:${host.user.id}`;
  const ids: string[] = [];
  const sends = await metered.rows(async () => {
    for (let i = 0; i < N; i++) {
      // Paced within the per-user frame budget of the workers tests (50/s, bursts of 100).
      if (i > 0 && i % 40 === 0) await new Promise((r) => setTimeout(r, 1000));
      g.send({ type: "send", clientId: `g${i}`, chat, text: TEXT });
      ids.push((await g.next("sent", (f) => f.clientId === `g${i}`)).id);
    }
  }, users);
  const figures: Record<string, number> = { send: sends.total / N };
  console.log(`footprint hosted 1:1, ${label} guest's send, both objects, rows per message:\n${perItem(sends, N)}`);
  await new Promise((r) => setTimeout(r, 1000));
  if (late) expect((await userStub(host.user.id).block(guest.user.id)).ok).toBe(true);
  for (const kind of ["edit", "react"] as const) {
    const detail = await metered.rows(async () => {
      for (const [i, id] of ids.slice(0, CHANGES).entries()) {
        const clientId = `${kind}${i}`;
        if (kind === "edit") g.send({ type: "edit", clientId, id, text: `${TEXT} edited` });
        else g.send({ type: "react", clientId, id, emoji: "👍" });
        await g.next("update", (f) => f.clientId === clientId);
      }
    }, users);
    figures[kind] = detail.total / CHANGES;
    console.log(
      `footprint hosted 1:1, ${label} guest's ${kind}, both objects, rows per change:\n${perItem(detail, CHANGES)}`,
    );
  }
  // A pong to a new ping comes after every frame the host's object sent this socket before it (the keep-alive
  // pings' pongs are already there, so count past them).
  const pongs = () => h.frames.filter((f) => f === "pong").length;
  const before = pongs();
  h.send("ping");
  await h.until(() => pongs() > before);
  // The host's device: shown everything, or nothing at all when it blocks.
  if (blocked && !late) expect([h.of("message").length, h.of("update").length]).toEqual([0, 0]);
  else if (late) expect([h.of("message").length, h.of("update").length]).toEqual([N, 0]);
  else await h.until((s) => s.of("message").length === N && s.of("update").length === 2 * CHANGES, 30_000);
  metered.end();
  console.log(
    `footprint hosted 1:1 ${label} guest: ${figures.send?.toFixed(2)} rows per message, ${figures.edit?.toFixed(2)} per edit, ${figures.react?.toFixed(2)} per reaction, both objects`,
  );
  return figures;
}

describe("storage footprint, a blocked guest in a hosted chat", { timeout: 120_000 }, () => {
  it("rows written per blocked guest message, edit and reaction, both objects, against a guest not blocked", async () => {
    const open = await measure(false);
    const blocked = await measure(true);
    // Measured 6.01 against 5.01 per message, 10.10 against 9.10 per edit, 8.10 against 7.10 per reaction:
    // one `forgotten` row each (the message's id, or the change's cid), nothing else.
    for (const kind of ["send", "edit", "react"]) {
      expect((blocked[kind] ?? 0) - (open[kind] ?? 0), kind).toBeCloseTo(1, 1);
    }
    expect(blocked.send).toBeLessThanOrEqual(6.1);
  });

  it("rows written per blocked edit and reaction of a message the host saw: its own version kept besides", async () => {
    const open = await measure(false);
    const late = await measure(true, true);
    // Measured 11.10 against 9.10 per edit, 9.10 against 7.10 per reaction: the `forgotten` row of the change
    // and the `host_views` row (written by the first blocked edit, updated by the reaction that follows).
    for (const kind of ["edit", "react"]) {
      expect((late[kind] ?? 0) - (open[kind] ?? 0), kind).toBeCloseTo(2, 1);
    }
  });
});
