// A device dropped mid-stream reconnects, asks `sync` from the last seq it saw,
// and ends with every message exactly once, in order, with no gaps.

import { describe, expect, inject, it } from "vitest";
import type { Message } from "../../src/shared/protocol";
import { RawSocket, registerUser } from "../support/raw-socket";

const base = inject("baseUrl");
const TOTAL = 120;

describe("a device dropped mid-stream", () => {
  it("resyncs without gaps or duplicates", async () => {
    const alice = await registerUser(base, "alice");
    const bob = await registerUser(base, "bob");
    const a = await RawSocket.open(base, alice.token);
    let b = await RawSocket.open(base, bob.token);
    const seen = new Map<string, Message>();
    let cursor = 0;
    const keep = (socket: RawSocket) => {
      for (const f of socket.of("message")) {
        seen.set(f.message.id, f.message);
        cursor = Math.max(cursor, f.message.seq);
      }
    };

    for (let i = 0; i < TOTAL; i++) {
      a.send({ type: "send", clientId: `d${i}`, chat: `u:${bob.user.id}`, text: `n${i}` });
      if (i === TOTAL / 3) {
        // Drop bob's device while messages are flowing.
        await b.until((s) => s.of("message").length > 5, 10_000, "first messages");
        keep(b);
        b.close();
      }
    }
    b = await RawSocket.open(base, bob.token);
    await a.until((s) => s.of("sent").length === TOTAL, 20_000, "all sent");
    // Sync from the cursor until bob's mailbox has caught up with every send.
    for (let tries = 0; seen.size < TOTAL && tries < 100; tries++) {
      const synced = await b.sync(cursor);
      keep(b);
      cursor = Math.max(cursor, synced.seq);
      if (seen.size < TOTAL) await new Promise((r) => setTimeout(r, 100));
    }
    const messages = [...seen.values()].sort((x, y) => x.seq - y.seq);
    expect(messages.map((m) => m.text)).toEqual(Array.from({ length: TOTAL }, (_, i) => `n${i}`));
    // seqs are strictly increasing and dense in bob's mailbox (no receipts were stored for bob).
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: TOTAL }, (_, i) => (messages[0]?.seq ?? 0) + i));
    // Live frames and the replay may overlap: the same id always carries the same seq.
    for (const f of b.of("message")) expect(seen.get(f.message.id)?.seq).toBe(f.message.seq);
    a.close();
    b.close();
  });

  it("answers ping with pong", async () => {
    const alice = await registerUser(base, "alice");
    const a = await RawSocket.open(base, alice.token);
    a.send("ping");
    await a.until((s) => s.frames.includes("pong"), 5_000, "pong");
    a.close();
  });
});
