// A member's object that left memory between two messages of a quiet group
// (an object with only hibernated sockets goes after about 10 s idle, under
// `wrangler dev` as deployed) wakes with the next one. Its seq counter comes
// back from the sockets' attachments (src/objects/user/seq-hold.ts): the
// member's seqs go on from where they were, where a wake used to start above
// the stored reservation (a jump of about SEQ_BLOCK, and a row written per
// member per wake). Run against the code before seq-hold.ts, the second
// message's seq jumped by 1,000: so the wait does evict here.

import { describe, expect, inject, it } from "vitest";
import type { AuthAnswer, Group } from "../../src/shared/protocol";
import { http, RawSocket, registerUser } from "../support/raw-socket";

const base = inject("baseUrl");
/** Longer than the runtime keeps an idle object with only hibernated sockets (about 10 s). */
const IDLE_MS = 16_000;

async function device(user: AuthAnswer): Promise<RawSocket> {
  const socket = await RawSocket.open(base, user.token);
  await socket.sync(0);
  return socket;
}

describe("a quiet group's member, woken", () => {
  it("goes on with its seqs from its sockets: no jump to a new reservation", { timeout: 60_000 }, async () => {
    const [ann, ben] = await Promise.all([registerUser(base, "wake"), registerUser(base, "wake")]);
    if (!ann || !ben) throw new Error("users");
    const [a, b] = await Promise.all([device(ann), device(ben)]);
    const created = await http<Group>(base, "/api/groups", {
      method: "POST",
      token: ann.token,
      body: { name: "quiet", members: [ben.user.id] },
    });
    expect(created.status).toBe(201);
    const chat = `g:${created.body.id}`;
    const said = async (text: string) => {
      const clientId = `c${text.length}${text.charCodeAt(0)}${Date.now()}`;
      a.send({ type: "send", clientId, chat, text });
      await a.next("sent", (f) => f.clientId === clientId);
      return (await b.next("message", (f) => f.message.chat === chat && f.message.text === text)).message;
    };
    const first = await said("before the nap");
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const second = await said("after the nap");
    expect(second.seq).toBeGreaterThan(first.seq);
    expect(second.seq - first.seq).toBeLessThan(10);
    // A device that syncs from the start gets each once, in order (the wake may
    // have taken the first again at a new seq: the member had not written it).
    const again = await device(ben);
    const replayed = again.of("message").filter((f) => f.message.chat === chat && !f.message.system);
    expect(replayed.map((f) => f.message.text)).toEqual(["before the nap", "after the nap"]);
    expect(replayed[1]?.message.seq).toBe(second.seq);
    for (const s of [a, b, again]) s.close();
  });
});
