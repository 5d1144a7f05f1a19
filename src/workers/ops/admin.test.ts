// GET /api/admin/users/:id/stats: a user object's counts, for the user ids
// in ADMIN_USER_IDS only.

import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, connect, register, userStub } from "../../test/helpers";
import { fetchWith } from "../../test/with-env";

describe("admin stats", () => {
  it("shows sockets, mailbox size, outbox depth and seq to an admin", async () => {
    const admin = await register();
    const alice = await register();
    const bob = await register();
    const a = await connect(alice.token);
    a.send({ type: "send", clientId: "c1", chat: `u:${bob.user.id}`, text: "hello" });
    await a.next("sent");
    const settings = { ADMIN_USER_IDS: ` other , ${admin.user.id}` };
    const res = await fetchWith(settings, `/api/admin/users/${alice.user.id}/stats`, { token: admin.token });
    expect(res.status).toBe(200);
    const stats = await res.json<Record<string, number | string>>();
    expect(stats).toMatchObject({ userId: alice.user.id, sockets: 1, messages: 1, seq: 1 });
    expect(stats.outbox).toBeTypeOf("number");
    a.close();
    // The send scheduled the outbox's safety alarm: run it, so no alarm outlives the test.
    const stub = userStub(alice.user.id);
    for (let i = 0; i < 5 && (await runDurableObjectAlarm(stub)); i++);
    expect((await stub.stats()).outbox).toBe(0);
  });

  it("refuses everyone else: 401 without a token, 403 for a user not listed", async () => {
    const alice = await register();
    const path = `/api/admin/users/${alice.user.id}/stats`;
    expect((await api(path)).status).toBe(401);
    const res = await fetchWith({ ADMIN_USER_IDS: "" }, path, { token: alice.token });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: { code: "forbidden", message: "operators only" } });
  });

  it("answers 400 for a malformed id and 404 for an unknown one", async () => {
    const admin = await register();
    const settings = { ADMIN_USER_IDS: admin.user.id };
    const bad = await fetchWith(settings, "/api/admin/users/NOT_AN_ID/stats", { token: admin.token });
    expect(bad.status).toBe(400);
    const unknown = await fetchWith(settings, "/api/admin/users/0000000000000000/stats", { token: admin.token });
    expect(unknown.status).toBe(404);
    expect((await unknown.json<{ error: { code: string } }>()).error.code).toBe("unknown_user");
  });
});
