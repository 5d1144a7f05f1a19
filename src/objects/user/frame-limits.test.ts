// Limits that count what they say (issue 21, rows 5 and 6): a frame's size
// is counted in UTF-8 bytes, not UTF-16 units; and every frame counts toward
// the rate limit, malformed and binary ones too.

import { describe, expect, it } from "vitest";
import { FRAME_MAX_BYTES } from "../../shared/limits";
import { drainAlarms } from "../../test/actions";
import { connect, register, userStub } from "../../test/helpers";

describe("frame limits", () => {
  it("a frame over the limit in UTF-8 bytes is refused, though its UTF-16 length is under it", async () => {
    const alice = await register();
    const bob = await register();
    const a = await connect(alice.token);
    // "€" is one UTF-16 unit and three UTF-8 bytes: 30,000 of them are 90,000 bytes.
    const frame = JSON.stringify({ type: "send", clientId: "big", chat: `u:${bob.user.id}`, text: "€".repeat(30_000) });
    expect(frame.length).toBeLessThan(FRAME_MAX_BYTES);
    expect(new TextEncoder().encode(frame).length).toBeGreaterThan(FRAME_MAX_BYTES);
    a.ws.send(frame);
    expect((await a.next("error")).code).toBe("too_large");
    expect(await userStub(alice.user.id).stats()).toMatchObject({ messages: 0, outbox: 0 });
    // Under the limit in bytes (4096 characters, 12 KiB of UTF-8): accepted.
    const fits = JSON.stringify({ type: "send", clientId: "fits", chat: `u:${bob.user.id}`, text: "€".repeat(4096) });
    expect(new TextEncoder().encode(fits).length).toBeLessThan(FRAME_MAX_BYTES);
    a.ws.send(fits);
    expect(await a.next("sent", (f) => f.clientId === "fits")).toMatchObject({ clientId: "fits" });
    await drainAlarms(alice.user.id);
    a.close();
  });

  it("malformed and binary frames count toward the rate limit", async () => {
    const alice = await register();
    const a = await connect(alice.token);
    // The workers tests run with a budget of 50 frames/s, burst 100 (vitest.config.ts).
    const started = Date.now();
    for (let i = 0; i < 900; i++) a.ws.send("{bad");
    for (let i = 0; i < 100; i++) a.ws.send(new Uint8Array([1, 2, 3]));
    await a.until((s) => s.of("error").length === 1000, 25_000);
    const seconds = (Date.now() - started) / 1000;
    const codes = a.of("error").map((e) => e.code);
    const answered = codes.filter((c) => c === "bad_frame").length;
    // Refused for what they are only within the budget (the burst, plus what refilled meanwhile); the rest rate_limited.
    expect(answered).toBeLessThanOrEqual(100 + Math.ceil(50 * seconds));
    expect(codes.filter((c) => c === "rate_limited").length).toBe(1000 - answered);
    expect(answered).toBeLessThan(1000);
    // The socket stays open.
    expect(a.closed).toBeNull();
    a.close();
  }, 30_000);
});
