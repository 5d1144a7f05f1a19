// "contacts" (lastSeenVisibility) means people the user wrote to, not anyone
// who wrote first (issue 21, row 7): one unsolicited message from a stranger
// shows it nothing.

import { describe, expect, it } from "vitest";
import { drainAlarms, rows, sendAndWait } from "../../test/actions";
import { api, connect, register } from "../../test/helpers";
import { presenceOf } from "../../test/presence-helpers";

describe("contacts for last seen", { timeout: 30_000 }, () => {
  it("a stranger who wrote first sees nothing; someone the user wrote to sees it", async () => {
    const alice = await register();
    const bob = await register();
    const stranger = await register();
    const patch = await api("/api/me", {
      method: "PATCH",
      token: alice.token,
      body: { lastSeenVisibility: "contacts" },
    });
    expect(patch.status).toBe(200);
    const a = await connect(alice.token);
    const s = await connect(stranger.token);
    const unsolicited = await sendAndWait(s, `u:${alice.user.id}`, "hello, you don't know me", "s1");
    await a.next("message", (f) => f.message.id === unsolicited.id);
    await drainAlarms(stranger.user.id);

    expect(await presenceOf(alice.user.id, stranger.token)).toEqual({ online: false, lastSeen: null });
    expect(await rows(alice.user.id, "SELECT user_id FROM contacts")).toEqual([]);

    // Once alice answers, the stranger is a contact; bob, whom she wrote to, is one too.
    await sendAndWait(a, `u:${stranger.user.id}`, "hi", "a1");
    await sendAndWait(a, `u:${bob.user.id}`, "hi bob", "a2");
    expect((await presenceOf(alice.user.id, stranger.token)).online).toBe(true);
    expect((await presenceOf(alice.user.id, bob.token)).online).toBe(true);
    await drainAlarms(alice.user.id);
    a.close();
    s.close();
  });
});
