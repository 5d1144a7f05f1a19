// Errors while handling a frame, in the real runtime: a store briefly
// unreachable (D1 here, the real local database behind a fault injector
// swapped into one user object's env) is answered with an `error` frame
// `unavailable`, carrying the frame's clientId, and stores nothing; the same
// frame sent again once D1 answers is stored and delivered once. An error that
// is not an outage is still `internal`.

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { shardOfUser, userDb } from "../../shared/shards";
import { faultyD1 } from "../../test/faulty-d1";
import { clearAlarms } from "../../test/groups";
import { connect, register, userStub } from "../../test/helpers";
import { eventually } from "../../test/presence-helpers";
import type { UserObject } from "../user-object";

const LOOKUP = (sql: string) => sql.includes("FROM users WHERE id");

/** Gives one user object `db` as the account shard of `peer` (only its own calls see it); returns the undo. */
async function swapDB(userId: string, peer: string, db: D1Database): Promise<() => Promise<void>> {
  const stub = userStub(userId);
  let real: Env | undefined;
  await runInDurableObject(stub, (instance: UserObject) => {
    const target = (instance as unknown as { parts: { env: Env } }).parts;
    real = target.env;
    target.env = { ...real, [shardOfUser(peer)]: db };
  });
  return () =>
    runInDurableObject(stub, (instance: UserObject) => {
      (instance as unknown as { parts: { env: Env } }).parts.env = real as Env;
    });
}

/** The JSON log lines written with `spy` whose event is `event`. */
function logged(spy: { mock: { calls: unknown[][] } }, event: string): number {
  return spy.mock.calls.filter((call) => String(call[0]).includes(`"event":"${event}"`)).length;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("D1 fails while a frame is handled", () => {
  it("a send to a user not yet known: `unavailable` with its clientId, nothing stored; the retry is sent and delivered once", async () => {
    const alice = await register();
    const bob = await register();
    const warn = vi.spyOn(console, "warn");
    const error = vi.spyOn(console, "error");
    const a = await connect(alice.token);
    const b = await connect(bob.token);
    const down = faultyD1(userDb(env, bob.user.id), LOOKUP);
    const restore = await swapDB(alice.user.id, bob.user.id, down.db);
    const frame = { type: "send", clientId: "t1", chat: `u:${bob.user.id}`, text: "after the outage" };

    a.send(frame);
    const refused = await a.next("error");
    expect(refused).toMatchObject({ code: "unavailable", clientId: "t1" });
    expect(down.failures).toBe(1);
    expect(logged(warn, "frame_unavailable")).toBe(1);
    expect(logged(error, "frame_error")).toBe(0);
    expect(await userStub(alice.user.id).stats()).toMatchObject({ messages: 0, outbox: 0, seq: 0 });
    expect((await userStub(bob.user.id).stats()).messages).toBe(0);

    await restore();
    a.send(frame);
    const sent = await a.next("sent", (f) => f.clientId === "t1");
    const got = await b.next("message");
    expect(got.message).toMatchObject({ id: sent.id, text: "after the outage", from: alice.user.id });
    const sender = userStub(alice.user.id);
    await eventually(async () => (await sender.stats()).outbox === 0, "the delivery to bob confirmed");
    // Once: one answer, one copy on each side, one frame to bob.
    expect(a.of("sent")).toEqual([sent]);
    expect(a.of("error")).toEqual([refused]);
    expect(await sender.stats()).toMatchObject({ messages: 1, outbox: 0 });
    expect((await userStub(bob.user.id).stats()).messages).toBe(1);
    expect(b.of("message")).toHaveLength(1);
    a.close();
    b.close();
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });

  it("a typing frame (no clientId) to a user not yet known: `unavailable`; once D1 answers it reaches them", async () => {
    const alice = await register();
    const bob = await register();
    const a = await connect(alice.token);
    const b = await connect(bob.token);
    const restore = await swapDB(alice.user.id, bob.user.id, faultyD1(userDb(env, bob.user.id), LOOKUP).db);
    a.send({ type: "typing", chat: `u:${bob.user.id}` });
    const refused = await a.next("error");
    expect(refused.code).toBe("unavailable");
    expect(refused.clientId).toBeUndefined();

    await restore();
    // The refused frame did not use up the typing interval: the next one goes through.
    a.send({ type: "typing", chat: `u:${bob.user.id}` });
    expect(await b.next("typing")).toMatchObject({ chat: `u:${alice.user.id}`, from: alice.user.id });
    expect(a.of("error")).toEqual([refused]);
    a.close();
    b.close();
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });

  it("an error that is not an outage is still `internal`, with the send's clientId, and stores nothing", async () => {
    const alice = await register();
    const bob = await register();
    const warn = vi.spyOn(console, "warn");
    const error = vi.spyOn(console, "error");
    const a = await connect(alice.token);
    const broken = faultyD1(userDb(env, bob.user.id), LOOKUP, "before", "D1_ERROR: no such table: users: SQLITE_ERROR");
    const restore = await swapDB(alice.user.id, bob.user.id, broken.db);
    a.send({ type: "send", clientId: "t2", chat: `u:${bob.user.id}`, text: "never" });
    expect(await a.next("error")).toMatchObject({ code: "internal", clientId: "t2" });
    expect(broken.failures).toBe(1);
    expect(logged(error, "frame_error")).toBe(1);
    expect(logged(warn, "frame_unavailable")).toBe(0);
    expect(await userStub(alice.user.id).stats()).toMatchObject({ messages: 0, outbox: 0, seq: 0 });
    expect((await userStub(bob.user.id).stats()).messages).toBe(0);
    await restore();
    a.close();
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });
});
