// Hostile input against the real server: 10,000 invalid frames from many
// sockets, binary frames, frames over the runtime's size limit, and bad HTTP
// bodies. The server answers each with an error, never crashes, and honest
// clients on other sockets keep chatting.

import { describe, expect, inject, it } from "vitest";
import { badBody, badFrame, prng } from "../support/fuzz";
import { RawSocket, registerUser } from "../support/raw-socket";

const base = inject("baseUrl");
const USERS = 50;
const FRAMES_PER_USER = 200; // within one user's burst budget: the rate limit must not answer for us

describe("fuzzing", () => {
  it("answers 10,000 invalid frames with one error each; honest clients unaffected", async () => {
    const rand = prng(20261127);
    const honestA = await registerUser(base, "honest");
    const honestB = await registerUser(base, "honest");
    const users = await Promise.all(Array.from({ length: USERS }, () => registerUser(base, "fuzz")));
    const sockets = await Promise.all(users.map((u) => RawSocket.open(base, u.token)));
    const a = await RawSocket.open(base, honestA.token);
    const b = await RawSocket.open(base, honestB.token);

    let honestSent = 0;
    const honest = setInterval(() => {
      a.send({ type: "send", clientId: `h${honestSent}`, chat: `u:${honestB.user.id}`, text: `honest ${honestSent}` });
      honestSent++;
    }, 20);
    for (const [i, socket] of sockets.entries()) {
      const peer = users[(i + 1) % USERS]?.user.id ?? "";
      for (let f = 0; f < FRAMES_PER_USER; f++) socket.send(badFrame(rand, peer));
    }
    await Promise.all(
      sockets.map((s) => s.until((x) => x.of("error").length >= FRAMES_PER_USER, 120_000, "all errors")),
    );
    clearInterval(honest);
    for (const s of sockets) {
      expect(s.of("error")).toHaveLength(FRAMES_PER_USER);
      expect(s.frames.filter((f) => f !== "pong" && f.type !== "error")).toEqual([]);
      expect(s.closed).toBeNull();
      expect(s.of("error").filter((e) => e.code === "rate_limited" || e.code === "internal")).toEqual([]);
    }
    // Nothing was stored for anyone: every fuzz user's mailbox is empty.
    const probe = sockets[0] as RawSocket;
    expect((await probe.sync(0)).seq).toBe(0);
    // The honest pair got every message, once.
    await b.until((s) => s.of("message").length >= honestSent, 20_000, "honest messages");
    expect(new Set(b.of("message").map((f) => f.message.text)).size).toBe(honestSent);
    for (const s of [...sockets, a, b]) s.close();
  }, 180_000);

  it("refuses binary and oversized frames with an error, keeping the socket open", async () => {
    const user = await registerUser(base, "fuzz");
    const s = await RawSocket.open(base, user.token);
    s.ws.send(new Uint8Array([0, 159, 146, 150]));
    expect((await s.next("error")).code).toBe("bad_frame");
    // Frames far over our 64 KiB limit (2 MiB) are refused; the socket stays open.
    s.send("x".repeat(2 * 1024 * 1024));
    expect((await s.next("error", (e) => e.code === "too_large")).message).toMatch(/at most/);
    s.send({ type: "sync", after: 0 });
    await s.next("synced");
    expect(s.closed).toBeNull();
    s.close();
  });

  it("answers bad HTTP bodies with a 4xx and a code, never a 5xx", async () => {
    let refused = 0;
    const rand = prng(42);
    const { token } = await registerUser(base, "fuzz");
    const targets = [
      ["POST", "/api/auth/register"],
      ["POST", "/api/auth/login"],
      ["PATCH", "/api/me"],
    ] as const;
    for (let i = 0; i < 300; i++) {
      const [method, path] = targets[i % targets.length] as (typeof targets)[number];
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: badBody(rand),
      });
      const body = (await res.json()) as { error?: { code?: string } };
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
      // An empty PATCH (`{}`) is a valid no-op; everything else must be refused with a code.
      if (res.status === 200) expect(method).toBe("PATCH");
      else {
        refused++;
        expect(typeof body.error?.code).toBe("string");
      }
    }
    expect(refused).toBeGreaterThan(250);
  }, 120_000);
});
