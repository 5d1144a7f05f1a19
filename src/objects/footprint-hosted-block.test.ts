// Rows written per message and per change of a guest its host blocked, in a
// hosted chat, the guest's send switched on (docs/one-copy-per-chat.md,
// "Blocking in a hosted chat, as built"): both objects, measured as
// ./footprint.test.ts does (every SQLite row written in this isolate, index
// entries included). Run alone to see the figures:
//   npx vitest run --project workers src/objects/footprint-hosted-block.test.ts

import { describe, expect, it } from "vitest";
import { connect, userStub } from "../test/helpers";
import { hostAndGuest, hostedSendOn } from "../test/hosted";
import { drain, perItem, WriteMeter } from "../test/write-meter";

const N = 200;
const CHANGES = 20;
const TEXT = "x".repeat(100); // the plan's average message

describe("storage footprint, a blocked guest in a hosted chat", { timeout: 120_000 }, () => {
  it("rows written per blocked guest message, edit and reaction, both objects", async () => {
    const { host, guest } = await hostAndGuest();
    await hostedSendOn(guest.user.id);
    expect((await userStub(host.user.id).block(guest.user.id)).ok).toBe(true);
    const g = await connect(guest.token);
    const h = await connect(host.token);
    const keepAlive = setInterval(() => {
      g.send("ping");
      h.send("ping");
    }, 500);
    const meter = new WriteMeter();
    await meter.start(userStub(guest.user.id));
    meter.take();
    const chat = `u:${host.user.id}`;
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      // Paced within the per-user frame budget of the workers tests (50/s, bursts of 100).
      if (i > 0 && i % 40 === 0) await new Promise((r) => setTimeout(r, 1000));
      g.send({ type: "send", clientId: `g${i}`, chat, text: TEXT });
      ids.push((await g.next("sent", (f) => f.clientId === `g${i}`)).id);
    }
    await drain([host.user.id, guest.user.id]);
    const sends = meter.takeDetailed();
    const figures: Record<string, number> = { send: sends.total / N };
    console.log(`footprint hosted 1:1, blocked guest's send, both objects, rows per message:\n${perItem(sends, N)}`);
    await new Promise((r) => setTimeout(r, 1000));
    for (const kind of ["edit", "react"] as const) {
      meter.take();
      for (const [i, id] of ids.slice(0, CHANGES).entries()) {
        const clientId = `${kind}${i}`;
        if (kind === "edit") g.send({ type: "edit", clientId, id, text: `${TEXT} edited` });
        else g.send({ type: "react", clientId, id, emoji: "👍" });
        await g.next("update", (f) => f.clientId === clientId);
      }
      await drain([host.user.id, guest.user.id]);
      const detail = meter.takeDetailed();
      figures[kind] = detail.total / CHANGES;
      console.log(`footprint hosted 1:1, blocked guest's ${kind}, both objects, rows per change:\n${perItem(detail, CHANGES)}`);
    }
    meter.stop();
    clearInterval(keepAlive);
    // The host's device was shown nothing of it.
    h.send("ping");
    await h.until((s) => s.frames.filter((f) => f === "pong").length > 0);
    expect([h.of("message").length, h.of("update").length]).toEqual([0, 0]);
    g.close();
    h.close();
    console.log(
      `footprint hosted 1:1 blocked guest: ${figures.send?.toFixed(2)} rows per message, ${figures.edit?.toFixed(2)} per edit, ${figures.react?.toFixed(2)} per reaction, both objects`,
    );
    // A message not blocked costs 5.01 (./footprint.test.ts): the `forgotten` row adds one. An edit or a
    // reaction not blocked costs 7.10 (./footprint-hosted-edit.test.ts): its cid's `forgotten` row adds one.
    expect(figures.send).toBeGreaterThan(5.5);
    expect(figures.send).toBeLessThanOrEqual(6.1);
    expect(figures.edit).toBeLessThanOrEqual(8.25);
    expect(figures.react).toBeLessThanOrEqual(8.25);
  });
});
