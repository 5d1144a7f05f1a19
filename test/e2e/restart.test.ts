// The local runtime killed with SIGKILL while messages are in flight, then
// started again on the same state: every message answered `sent` is in both
// mailboxes exactly once. Messages that got no answer may be stored or not,
// but never twice: the client retries them with the same clientId.

import { afterAll, describe, expect, it } from "vitest";
import type { AuthAnswer, Message } from "../../src/shared/protocol";
import { http, RawSocket, registerUser } from "../support/raw-socket";
import { newStateDir, type RunningServer, startServer } from "../support/server";

const PAIRS = 4;
const PER_SENDER = 60;

async function historyOf(base: string, reader: AuthAnswer, other: AuthAnswer): Promise<Message[]> {
  const all: Message[] = [];
  let before: string | undefined;
  for (;;) {
    const q = before ? `?limit=100&before=${before}` : "?limit=100";
    const res = await http<{ messages: Message[] }>(base, `/api/chats/u:${other.user.id}/messages${q}`, {
      token: reader.token,
    });
    if (res.status !== 200) throw new Error(`history ${res.status}`);
    all.unshift(...res.body.messages);
    if (res.body.messages.length < 100) return all;
    before = res.body.messages[0]?.id;
  }
}

describe("restart after SIGKILL", () => {
  let server: RunningServer | undefined;
  afterAll(async () => server?.stop());

  it("keeps every acknowledged message exactly once in both mailboxes", async () => {
    const state = newStateDir();
    server = await startServer({ persistTo: state });
    const pairs: [AuthAnswer, AuthAnswer][] = [];
    for (let i = 0; i < PAIRS; i++)
      pairs.push([await registerUser(server.url, "s"), await registerUser(server.url, "r")]);
    const sockets = await Promise.all(pairs.map(([s]) => RawSocket.open((server as RunningServer).url, s.token)));

    // Stream messages, then kill the runtime while they are in flight.
    pairs.forEach(([, r], p) => {
      for (let i = 0; i < PER_SENDER; i++) {
        sockets[p]?.send({ type: "send", clientId: `p${p}-${i}`, chat: `u:${r.user.id}`, text: `p${p} m${i}` });
      }
    });
    await sockets[0]?.until((s) => s.of("sent").length >= 10, 20_000, "some sent answers");
    await server.kill();
    const acked = sockets.map((s) => new Map(s.of("sent").map((f) => [f.clientId, f.id])));
    const ackedCount = acked.reduce((n, m) => n + m.size, 0);
    expect(ackedCount).toBeGreaterThan(0);
    console.log(`restart test: ${ackedCount} of ${PAIRS * PER_SENDER} answered before SIGKILL`);

    // Same state, new process. Clients retry everything that got no answer.
    server = await startServer({ persistTo: state, port: server.port });
    const retry = await Promise.all(pairs.map(([s]) => RawSocket.open((server as RunningServer).url, s.token)));
    pairs.forEach(([, r], p) => {
      for (let i = 0; i < PER_SENDER; i++) {
        const clientId = `p${p}-${i}`;
        retry[p]?.send({ type: "send", clientId, chat: `u:${r.user.id}`, text: `p${p} m${i}` });
      }
    });
    await Promise.all(retry.map((s) => s.until((x) => x.of("sent").length === PER_SENDER, 30_000, "all answers")));
    for (const [p, socket] of retry.entries()) {
      // Every earlier answer is repeated unchanged: nothing acknowledged was lost.
      for (const f of socket.of("sent")) {
        const before = acked[p]?.get(f.clientId);
        if (before) expect(f.id).toBe(before);
      }
    }

    // Eventually both mailboxes hold every message exactly once, in send order.
    const base = server.url;
    for (const [p, [sender, recipient]] of pairs.entries()) {
      const expected = Array.from({ length: PER_SENDER }, (_, i) => `p${p} m${i}`);
      const mine = await historyOf(base, sender, recipient);
      expect(mine.map((m) => m.text)).toEqual(expected);
      let theirs: Message[] = [];
      for (let t = 0; t < 100; t++) {
        theirs = await historyOf(base, recipient, sender);
        if (theirs.length >= PER_SENDER) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(theirs.map((m) => m.text)).toEqual(expected);
      expect(new Set(theirs.map((m) => m.id)).size).toBe(PER_SENDER);
    }
    for (const s of retry) s.close();
  }, 180_000);
});
