// The seq counter held in the sockets' attachments (./seq-hold.ts). Here the
// objects cannot be made to hibernate (the e2e test test/e2e/group-wake.test.ts
// lets `wrangler dev` evict one); these check what each wake path rests on:
// every open socket holds the greatest seq handed out, and a crash, which
// takes the sockets with it, still starts above the stored reservation.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { crash, receivedAll, sendAll, settledTeam } from "../../test/group-faults";
import { connect, userStub } from "../../test/helpers";
import { SEQ_BLOCK } from "./group-chats";
import { startSeq } from "./seq-hold";
import { info } from "./sockets";

describe("the seq held in the sockets", () => {
  it("starts after the greatest stored or held seq; after the reservation only when no socket holds one", () => {
    expect(startSeq(10, 1_009, 14)).toBe(14);
    expect(startSeq(20, 1_009, 14)).toBe(20);
    expect(startSeq(10, 1_009, null)).toBe(1_009);
  });

  it("every open socket of a member holds the seq its last take reached", async () => {
    const t = await settledTeam(2);
    const a = await connect(t.admin.token);
    const [b1, b2] = [await connect(t.bob.token), await connect(t.bob.token)];
    for (const b of [b1, b2]) await b.speak();
    const ids = await sendAll(a, t.chat, ["one", "two"]);
    for (const b of [b1, b2]) await receivedAll(b, ids);
    const { seq } = await userStub(t.bob.user.id).stats();
    const held = await runInDurableObject(userStub(t.bob.user.id), (_instance, state) =>
      state.getWebSockets().map((ws) => info(ws)?.seq),
    );
    expect(held).toEqual([seq, seq]);
    await t.end(a, b1, b2);
  });

  it("a socket accepted after the last take holds the seq at once, and the next take's", async () => {
    const t = await settledTeam(2);
    const a = await connect(t.admin.token);
    const b1 = await connect(t.bob.token);
    await b1.speak();
    const ids = await sendAll(a, t.chat, ["one", "two"]);
    await receivedAll(b1, ids);
    const { seq } = await userStub(t.bob.user.id).stats();
    const b2 = await connect(t.bob.token);
    await b2.speak();
    const heldNow = () =>
      runInDurableObject(userStub(t.bob.user.id), (_instance, state) =>
        state.getWebSockets().map((ws) => info(ws)?.seq),
      );
    expect(await heldNow()).toEqual([seq, seq]);
    // The next take hands out one more seq: every socket, the new one too, holds it.
    const [three] = await sendAll(a, t.chat, ["three"]);
    for (const b of [b1, b2]) await receivedAll(b, [three as string]);
    expect(await heldNow()).toEqual([seq + 1, seq + 1]);
    await t.end(a, b1, b2);
  });

  it("a crash takes the sockets and what they held: the next take starts above the reservation", async () => {
    const t = await settledTeam(2);
    const a = await connect(t.admin.token);
    const b = await connect(t.bob.token);
    await b.speak();
    const [first] = await sendAll(a, t.chat, ["before"]);
    await receivedAll(b, [first as string]);
    const before = (await userStub(t.bob.user.id).stats()).seq;
    await crash(userStub(t.bob.user.id));
    const again = await connect(t.bob.token);
    await again.speak();
    const [second] = await sendAll(a, t.chat, ["after"]);
    await receivedAll(again, [second as string]);
    const after = again.of("message").find((f) => f.message.id === second)?.message.seq ?? 0;
    expect(after).toBeGreaterThanOrEqual(before + SEQ_BLOCK - 1);
    await t.end(a, b, again);
  });
});
