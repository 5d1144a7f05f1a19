// Rows written per change by the guest of a hosted chat, its send switched on
// (user/hosted-guest-edit.ts): both objects, measured as ./footprint.test.ts
// does (every SQLite row written in this isolate, index entries included).
// Run alone to see the figures:
//   npx vitest run --project workers src/objects/footprint-hosted-edit.test.ts

import { describe, expect, it } from "vitest";
import { userStub } from "../test/helpers";
import { hostAndGuest, hostedSendOn } from "../test/hosted";
import { drain, MeteredSockets, perItem } from "../test/write-meter";

const N = 20;
const TEXT = "x".repeat(100); // the plan's average message

describe("storage footprint, the guest's changes in a hosted chat", { timeout: 120_000 }, () => {
  it("rows written per guest edit, reaction and delete for me, both objects", async () => {
    const { host, guest } = await hostAndGuest();
    await hostedSendOn(guest.user.id);
    const metered = new MeteredSockets();
    const [g, h] = await metered.connect(guest.token, host.token);
    const users = [host.user.id, guest.user.id];
    const chat = `u:${host.user.id}`;
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      g.send({ type: "send", clientId: `m${i}`, chat, text: TEXT });
      ids.push((await g.next("sent", (f) => f.clientId === `m${i}`)).id);
    }
    await drain(users);
    await metered.start(userStub(guest.user.id));
    const figures: Record<string, number> = {};
    for (const kind of ["edit", "react", "forget"] as const) {
      const detail = await metered.rows(async () => {
        for (const [i, id] of ids.entries()) {
          const clientId = `${kind}${i}`;
          if (kind === "edit") g.send({ type: "edit", clientId, id, text: `${TEXT} edited` });
          else if (kind === "react") g.send({ type: "react", clientId, id, emoji: "👍" });
          else g.send({ type: "delete", clientId, id, for: "me" });
          if (kind === "forget") await g.next("removed", (f) => f.clientId === clientId);
          else await g.next("update", (f) => f.clientId === clientId);
        }
        if (kind !== "forget") await h.until((s) => s.of("update").length === (kind === "edit" ? N : 2 * N), 30_000);
      }, users);
      figures[kind] = detail.total / N;
      console.log(`footprint hosted 1:1, guest's ${kind}, both objects, rows per change:\n${perItem(detail, N)}`);
    }
    metered.end();
    console.log(
      `footprint hosted 1:1 guest's changes: ${figures.edit?.toFixed(2)} rows per edit, ${figures.react?.toFixed(2)} per reaction, ${figures.forget?.toFixed(2)} per delete for me, both objects`,
    );
    // Measured 7.10 each: the host's change, 6 rows (the message or the reaction row; the change row and its
    // clientId and log index entries; the chat row written with it; the id clock's meta row), the guest's
    // group_chats row written before the answer, and an alarm set about once in ten. Today's edit in a chat
    // of two copies costs 9.15 (./footprint.test.ts), a one-to-one reaction 10.0 (docs/protocol.md).
    expect(figures.edit).toBeGreaterThan(6.5);
    expect(figures.edit).toBeLessThanOrEqual(7.25);
    expect(figures.react).toBeLessThanOrEqual(7.25);
    // Delete for me, 4.10: the guest's `forgotten` row, its `removed` change row and clientId entry, its
    // id clock; the host writes nothing (it is read there once, to know the message).
    expect(figures.forget).toBeLessThanOrEqual(4.25);
  });
});
