// Moving a bucket of accounts to another shard while its users log in
// (accounts/move-bucket.ts, through the admin routes): copy, verify, the
// switch of the map (a deploy in production, played here by setBucketMap),
// catch-up, verify, remove. Nothing is lost (every account, session and
// block is on the new shard, and every token works) and nothing is refused
// (every login and every session check during the move answers 200).

import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import type { AuthAnswer } from "../../shared/protocol";
import {
  BUCKETS,
  bucketOfUsername,
  bucketPrefix,
  SHARDS,
  type Shard,
  setBucketMap,
  shardOfBucket,
  shardOfUser,
} from "../../shared/shards";
import { register, uniqueName } from "../../test/helpers";
import { fetchWith } from "../../test/with-env";
import { copyBucket, removeBucket, verifyBucket } from "./move-bucket";

type Row = Record<string, unknown>;

const PASSWORD = "correct horse battery";
const BUCKET = 1234;

afterEach(() => setBucketMap(BUCKET, null, null));

function nameIn(bucket: number, prefix: string): string {
  for (;;) {
    const name = uniqueName(prefix);
    if (bucketOfUsername(name) === bucket) return name;
  }
}

async function rowsOfBucket(shard: Shard): Promise<{ users: number; sessions: number; blocks: number }> {
  const prefix = bucketPrefix(BUCKET);
  const count = async (sql: string) => (await env[shard].prepare(sql).bind(prefix).first<{ n: number }>())?.n ?? 0;
  return {
    users: await count("SELECT count(*) AS n FROM users WHERE substr(id, 1, 4) = ?"),
    sessions: await count("SELECT count(*) AS n FROM sessions WHERE substr(user_id, 1, 4) = ?"),
    blocks: await count("SELECT count(*) AS n FROM blocks WHERE substr(blocker, 1, 4) = ?"),
  };
}

describe("moving a bucket to another shard", () => {
  it("while its users log in: nothing lost, nothing refused", async () => {
    const source = shardOfBucket(BUCKET);
    const target = SHARDS[(SHARDS.indexOf(source) + 1) % SHARDS.length] as Shard;
    const admin = await register();
    const settings = { ADMIN_USER_IDS: admin.user.id };
    const step = async (name: string) => {
      const res = await fetchWith(settings, `/api/admin/buckets/${BUCKET}/${name}`, {
        method: "POST",
        token: admin.token,
        body: { from: source, to: target },
      });
      expect(res.status, `${name}: ${await res.clone().text()}`).toBe(200);
      return res.json<Record<string, Record<string, number>>>();
    };
    const users: AuthAnswer[] = [];
    for (let i = 0; i < 4; i++) users.push(await register(nameIn(BUCKET, "mv"), PASSWORD));
    for (const { user } of users) expect(shardOfUser(user.id)).toBe(source);
    const neighbour = await register(); // another bucket: untouched
    const [first, second] = users as [AuthAnswer, AuthAnswer];
    const block = await fetchWith({}, "/api/me/blocked", {
      method: "POST",
      token: first.token,
      body: { userId: second.user.id },
    });
    expect(block.status).toBe(200);

    // Users log in over and over, and use each token at once.
    const outcomes: { login: number; me: number; token?: string; user: string; switched: boolean }[] = [];
    let running = true;
    let switched = false;
    const loop = async (offset: number) => {
      for (let i = offset; running; i += 2) {
        const { user } = users[i % users.length] as AuthAnswer;
        const began = switched;
        const res = await fetchWith({}, "/api/auth/login", {
          method: "POST",
          body: { username: user.username, password: PASSWORD },
        });
        const outcome: (typeof outcomes)[number] = { login: res.status, me: 0, user: user.id, switched: began };
        if (res.status === 200) {
          outcome.token = (await res.json<AuthAnswer>()).token;
          outcome.me = (await fetchWith({}, "/api/me", { token: outcome.token })).status;
        }
        outcomes.push(outcome);
      }
    };
    const loops = [loop(0), loop(1)];
    const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

    await settle();
    expect((await step("copy")).copied).toMatchObject({ users: 4, blocks: 1 });
    const copiedAt = outcomes.length;
    await step("verify"); // logins go on meanwhile: what differs now, the catch-up takes
    await settle();
    await settle();
    // The deploy that switches the map: new requests go to the target; misses look at the source.
    setBucketMap(BUCKET, target, source);
    switched = true;
    // Tokens of sessions made on the source after the copy work at once after the switch...
    const uncopied = outcomes.slice(copiedAt).filter((o) => o.token);
    expect(uncopied.length).toBeGreaterThan(0);
    for (const o of outcomes) expect((await fetchWith({}, "/api/me", { token: o.token })).status).toBe(200);
    // ...and logging one out now stays a logout after the catch-up.
    const gone = uncopied.at(-1) as (typeof outcomes)[number];
    expect((await fetchWith({}, "/api/auth/logout", { method: "POST", token: gone.token })).status).toBe(204);
    await settle();
    // "Once no Worker of the old map runs": here, once the logins that began before the switch are done.
    running = false;
    await Promise.all(loops);
    await step("catch-up");
    expect((await step("verify")).differing).toEqual({ users: 0, sessions: 0, blocks: 0 });
    expect((await fetchWith({}, "/api/me", { token: gone.token })).status).toBe(401);
    // The next deploy: no more looking at the source. Then the source lets the bucket go.
    setBucketMap(BUCKET, target, null);
    const before = await rowsOfBucket(source);
    expect((await step("remove")).removed).toEqual(before);
    expect(await rowsOfBucket(source)).toEqual({ users: 0, sessions: 0, blocks: 0 });

    // Nothing refused: every login and its session check answered 200, on both sides of the switch.
    expect(outcomes.filter((o) => !o.switched).length).toBeGreaterThan(2);
    expect(outcomes.filter((o) => o.switched).length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.login !== 200 || o.me !== 200)).toEqual([]);
    // Nothing lost: the accounts, every session (registration's and each login's) and the block are on the target.
    const after = await rowsOfBucket(target);
    expect(after).toEqual({ users: 4, sessions: users.length + outcomes.length, blocks: 1 });
    for (const { user } of users) {
      const res = await fetchWith({}, "/api/auth/login", {
        method: "POST",
        body: { username: user.username, password: PASSWORD },
      });
      expect(res.status).toBe(200);
      const { token } = await res.json<AuthAnswer>();
      expect((await fetchWith({}, "/api/me", { token })).status).toBe(200);
    }
    // The newest five sessions of each user still work (older ones were logged out by the limit).
    for (const { user } of users) {
      const recent = outcomes.filter((o) => o.user === user.id && o !== gone).slice(-3);
      for (const o of recent) expect((await fetchWith({}, "/api/me", { token: o.token })).status).toBe(200);
    }
    expect((await fetchWith({}, "/api/me", { token: neighbour.token })).status).toBe(200);
  }, 60_000);

  it("a session revoked on both shards at different times is the same after the catch-up", async () => {
    // The race a move can see: before the switch a login's session limit revokes a copied session on the
    // source; after it, another login's limit revokes the same session on the target, a moment later.
    const source = shardOfBucket(BUCKET);
    const target = SHARDS[(SHARDS.indexOf(source) + 1) % SHARDS.length] as Shard;
    const { user } = await register(nameIn(BUCKET, "rv"), PASSWORD);
    const sessionsOf = (shard: Shard) =>
      env[shard].prepare("SELECT id, revoked_at FROM sessions WHERE user_id = ?").bind(user.id).all<Row>();
    const [session] = (await sessionsOf(source)).results as [Row];
    await copyBucket(env[source], env[target], BUCKET, "copy");
    const revoke = (shard: Shard, at: number) =>
      env[shard].prepare("UPDATE sessions SET revoked_at = ? WHERE id = ?").bind(at, session.id).run();
    await revoke(source, 1_000);
    await revoke(target, 2_000);
    await copyBucket(env[source], env[target], BUCKET, "catch-up");
    expect((await sessionsOf(target)).results).toEqual([{ id: session.id, revoked_at: 2_000 }]);
    expect((await verifyBucket(env[source], env[target], BUCKET)).differing).toEqual({
      users: 0,
      sessions: 0,
      blocks: 0,
    });
    // A session revoked on the source only is still caught as differing until a catch-up copies it.
    await env[target].prepare("UPDATE sessions SET revoked_at = NULL WHERE id = ?").bind(session.id).run();
    expect((await verifyBucket(env[source], env[target], BUCKET)).differing.sessions).toBe(1);
    await copyBucket(env[source], env[target], BUCKET, "catch-up");
    expect((await verifyBucket(env[source], env[target], BUCKET)).differing.sessions).toBe(0);
    // The target's rows of the bucket are test leftovers on another shard: remove them as the last step would.
    await removeBucket(env[target], BUCKET);
  });

  it("refuses a bad bucket or shard, and removing from the shard the map still names", async () => {
    const admin = await register();
    const settings = { ADMIN_USER_IDS: admin.user.id };
    const post = (path: string, body: unknown) =>
      fetchWith(settings, `/api/admin/buckets/${path}`, { method: "POST", token: admin.token, body });
    expect((await post(`${BUCKETS}/copy`, { from: "DB_0", to: "DB_1" })).status).toBe(400);
    expect((await post("7/copy", { from: "DB_0", to: "DB_0" })).status).toBe(400);
    expect((await post("7/copy", { from: "DB_0", to: "DB_9" })).status).toBe(400);
    const source = shardOfBucket(7);
    const other = SHARDS.find((s) => s !== source) as Shard;
    const res = await post("7/remove", { from: source, to: other });
    expect(res.status).toBe(403);
    const stranger = await register();
    const denied = await fetchWith(settings, "/api/admin/buckets/7/copy", {
      method: "POST",
      token: stranger.token,
      body: { from: source, to: other },
    });
    expect(denied.status).toBe(403);
  });
});
