// Accounts sharded over the D1 databases DB_0..DB_3 (src/shared/shards.ts,
// docs/capacity.md; the id and username layout: src/shared/shards.test.ts):
// users landing on every shard, each account whole on its own shard, the
// whole account life across shards (registration and its uniqueness across
// case, login, the session check of HTTP and of the socket, lookups by id and
// by username, logout), accounts made before sharding, and one shard down
// answering 503 for its users only.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { randomId } from "../../shared/ids";
import type { AuthAnswer, User } from "../../shared/protocol";
import {
  allShards,
  bucketOfUserId,
  bucketOfUsername,
  LEGACY_SHARD,
  SHARDS,
  type Shard,
  shardOfUser,
  shardOfUsername,
} from "../../shared/shards";
import { api, connect, register, uniqueName } from "../../test/helpers";
import { PNG } from "../../test/images";
import { countAll, dbOf, faultyShard } from "../../test/shards";
import { fetchWith } from "../../test/with-env";
import { hashPassword } from "./password";

const PASSWORD = "correct horse battery";

/** A fresh username that hashes to `shard`. */
function nameOn(shard: Shard, prefix = "shard"): string {
  for (;;) {
    const name = uniqueName(prefix);
    if (shardOfUsername(name) === shard) return name;
  }
}

/** One registered user on each shard. */
async function onePerShard(prefix = "shard"): Promise<Map<Shard, AuthAnswer>> {
  const users = new Map<Shard, AuthAnswer>();
  for (const shard of SHARDS) users.set(shard, await register(nameOn(shard, prefix), PASSWORD));
  return users;
}

async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

function login(username: string, overrides: Partial<Record<keyof Env, unknown>> = {}) {
  return fetchWith(overrides, "/api/auth/login", { method: "POST", body: { username, password: PASSWORD } });
}

describe("accounts across shards", () => {
  it("users land on every shard, each account and its sessions whole on the shard its id and username name", async () => {
    const users = await onePerShard();
    expect(new Set([...users.values()].map((u) => shardOfUser(u.user.id))).size).toBeGreaterThanOrEqual(3);
    for (const [shard, { user }] of users) {
      expect(shardOfUser(user.id)).toBe(shard);
      expect(bucketOfUserId(user.id)).toBe(bucketOfUsername(user.username));
      for (const [other, db] of allShards(env)) {
        const here = await db
          .prepare(
            "SELECT (SELECT count(*) FROM users WHERE id = ?1 AND username = ?2) AS u, (SELECT count(*) FROM sessions WHERE user_id = ?1) AS s",
          )
          .bind(user.id, user.username)
          .first<{ u: number; s: number }>();
        expect(here, `${user.username} on ${other}`).toEqual(other === shard ? { u: 1, s: 1 } : { u: 0, s: 0 });
      }
    }
  }, 30_000);

  it("a username is unique across case on its shard: the second registration is refused and stores nothing", async () => {
    for (const shard of SHARDS) {
      const name = nameOn(shard, "Uniq");
      expect(
        (await api("/api/auth/register", { method: "POST", body: { username: name, password: PASSWORD } })).status,
      ).toBe(201);
      const again = await api("/api/auth/register", {
        method: "POST",
        body: { username: name.toUpperCase(), password: PASSWORD },
      });
      expect(again.status).toBe(409);
      expect(await errorCode(again)).toBe("username_taken");
      expect(await countAll("SELECT count(*) AS n FROM users WHERE username = ?", name.toLowerCase())).toBe(1);
      const onShard = await env[shard]
        .prepare("SELECT count(*) AS n FROM users WHERE username = ?")
        .bind(name.toLowerCase())
        .first<{ n: number }>();
      expect(onShard?.n).toBe(1);
    }
  }, 30_000);

  it("login, the session check of HTTP and socket, lookups by id and by username, and logout, on every shard", async () => {
    const users = await onePerShard("life");
    const all = [...users.values()];
    for (const { user } of all) {
      const res = await login(user.username.toUpperCase());
      expect(res.status).toBe(200);
      const { token } = (await res.json()) as AuthAnswer;
      // The session check, over HTTP and on a socket.
      expect(((await (await api("/api/me", { token })).json()) as User).id).toBe(user.id);
      const socket = await connect(token);
      await socket.speak();
      // Lookups by id (many, over every shard, in the order asked) and by username (any case).
      const ids = all.map((u) => u.user.id).reverse();
      const byIds = await api(`/api/users?ids=${ids.join(",")}`, { token });
      expect(((await byIds.json()) as { users: User[] }).users.map((u) => u.id)).toEqual(ids);
      for (const other of all) {
        const found = await api(`/api/users/${other.user.username.toUpperCase()}`, { token });
        expect(((await found.json()) as User).id).toBe(other.user.id);
        expect((await api(`/api/users/${other.user.id}/presence`, { token })).status).toBe(200);
      }
      // Logout ends this session on its shard: HTTP and new sockets are refused, the open one is closed.
      expect((await api("/api/auth/logout", { method: "POST", token })).status).toBe(204);
      expect((await api("/api/me", { token })).status).toBe(401);
      const upgrade = await api(`/ws?token=${encodeURIComponent(token)}`, { headers: { Upgrade: "websocket" } });
      expect(upgrade.status).toBe(401);
      await socket.waitClosed();
      // The other session (from registration) still works.
      expect((await api("/api/me", { token: users.get(shardOfUser(user.id))?.token })).status).toBe(200);
    }
  }, 30_000);

  it("a group of members from every shard shows every display name (one query per shard)", async () => {
    const users = [...(await onePerShard("grp")).values()];
    const [admin, ...rest] = users as [AuthAnswer, ...AuthAnswer[]];
    const res = await api("/api/groups", {
      method: "POST",
      token: admin.token,
      body: { name: "across", members: rest.map((u) => u.user.id) },
    });
    expect(res.status).toBe(201);
    const group = (await res.json()) as { id: string; members: { id: string; displayName?: string }[] };
    expect(group.members.map((m) => m.displayName).sort()).toEqual(users.map((u) => u.user.displayName).sort());
    // Reading it again asks each shard for its members' names in one batch.
    const batches = new Map<Shard, number>();
    const counting = Object.fromEntries(
      allShards(env).map(([shard, db]) => [
        shard,
        Object.assign(Object.create(db), {
          prepare: (sql: string) => db.prepare(sql),
          batch: (statements: D1PreparedStatement[]) => {
            batches.set(shard, (batches.get(shard) ?? 0) + 1);
            return db.batch(statements);
          },
        }),
      ]),
    );
    const again = await fetchWith(counting, `/api/groups/${group.id}`, { token: admin.token });
    expect(again.status).toBe(200);
    expect(Object.fromEntries(batches)).toEqual(Object.fromEntries(SHARDS.map((shard) => [shard, 1])));
  }, 30_000);
});

describe("blocks across shards", () => {
  it("who blocked the viewer is asked of each blocker's shard: pictures hidden, group adds refused", async () => {
    const users = await onePerShard("blk");
    const viewer = users.get("DB_3") as AuthAnswer;
    const owners = (["DB_0", "DB_1", "DB_2"] as const).map((shard) => users.get(shard) as AuthAnswer);
    for (const owner of owners) {
      const res = await api("/api/me/avatar", {
        method: "PUT",
        token: owner.token,
        body: PNG,
        headers: { "Content-Type": "image/png" },
      });
      expect(res.status).toBe(200);
    }
    const [a, b, c] = owners as [AuthAnswer, AuthAnswer, AuthAnswer];
    for (const blocker of [a, c]) {
      const res = await api("/api/me/blocked", {
        method: "POST",
        token: blocker.token,
        body: { userId: viewer.user.id },
      });
      expect(res.status).toBe(200);
      // The D1 copy of the block is beside the blocker's account, and nowhere else.
      const rows = await countAll("SELECT count(*) AS n FROM blocks WHERE blocker = ?", blocker.user.id);
      const here = await dbOf(blocker.user.id)
        .prepare("SELECT count(*) AS n FROM blocks WHERE blocker = ?")
        .bind(blocker.user.id)
        .first<{ n: number }>();
      expect([rows, here?.n]).toEqual([1, 1]);
    }
    const seen = await api(`/api/users?ids=${owners.map((o) => o.user.id).join(",")}`, { token: viewer.token });
    const profiles = ((await seen.json()) as { users: User[] }).users;
    expect(profiles.map((u) => [u.id, u.avatar !== undefined])).toEqual([
      [a.user.id, false],
      [b.user.id, true],
      [c.user.id, false],
    ]);
    const group = await api("/api/groups", {
      method: "POST",
      token: viewer.token,
      body: { name: "refused", members: owners.map((o) => o.user.id) },
    });
    expect(group.status).toBe(403);
    expect(await errorCode(group)).toBe("not_allowed");
    const allowed = await api("/api/groups", {
      method: "POST",
      token: viewer.token,
      body: { name: "allowed", members: [b.user.id] },
    });
    expect(allowed.status).toBe(201);
  }, 30_000);
});

describe("accounts made before sharding", () => {
  it("an old id on the legacy shard logs in, is found by id and by username, keeps its name unique, logs out", async () => {
    const legacy = LEGACY_SHARD as Shard;
    // Its username hashes to another shard: only the legacy fallback finds it.
    const username = nameOn(SHARDS.find((s) => s !== legacy) as Shard, "old").toLowerCase();
    const id = randomId();
    const password = await hashPassword(PASSWORD);
    await env[legacy]
      .prepare(
        `INSERT INTO users (id, username, display_name, password_hash, password_salt, password_iterations, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(id, username, "Old Timer", password.hash, password.salt, password.iterations, Date.now())
      .run();
    expect(dbOf(id)).toBe(env[legacy]);

    const res = await login(username);
    expect(res.status).toBe(200);
    const { token, user } = (await res.json()) as AuthAnswer;
    expect(user.id).toBe(id);
    expect((await api("/api/me", { token })).status).toBe(200);
    const socket = await connect(token);
    await socket.speak();
    const viewer = await register();
    expect(((await (await api(`/api/users/${username}`, { token: viewer.token })).json()) as User).id).toBe(id);
    const byId = await api(`/api/users?ids=${id},${viewer.user.id}`, { token: viewer.token });
    expect(((await byId.json()) as { users: User[] }).users.map((u) => u.id)).toEqual([id, viewer.user.id]);
    const taken = await api("/api/auth/register", {
      method: "POST",
      body: { username: username.toUpperCase(), password: PASSWORD },
    });
    expect(taken.status).toBe(409);
    expect(await countAll("SELECT count(*) AS n FROM users WHERE username = ?", username)).toBe(1);
    expect((await api("/api/auth/logout", { method: "POST", token })).status).toBe(204);
    expect((await api("/api/me", { token })).status).toBe(401);
    await socket.waitClosed();
  }, 30_000);
});

describe("one shard down", () => {
  it("answers 503 `unavailable` for the users on it only; the other shards keep serving", async () => {
    const users = await onePerShard("down");
    const downShard = shardOfUser(users.get("DB_1")?.user.id ?? "");
    expect(downShard).toBe("DB_1");
    const down = faultyShard((users.get("DB_1") as AuthAnswer).user.id, () => true);
    const victim = users.get("DB_1") as AuthAnswer;
    const others = [...users.values()].filter((u) => u !== victim);

    // Its user: the session check, login, and lookups of it by others.
    const expect503 = async (res: Response) => {
      expect(res.status).toBe(503);
      expect(await errorCode(res)).toBe("unavailable");
      expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(0);
    };
    await expect503(await fetchWith(down.overrides, "/api/me", { token: victim.token }));
    await expect503(await login(victim.user.username, down.overrides));
    const upgrade = await fetchWith(down.overrides, `/ws?token=${encodeURIComponent(victim.token)}`, {
      headers: { Upgrade: "websocket" },
    });
    expect(upgrade.status).toBe(503);
    const viewer = others[0] as AuthAnswer;
    await expect503(await fetchWith(down.overrides, `/api/users/${victim.user.username}`, { token: viewer.token }));
    // A registration whose username hashes to the down shard.
    const res = await fetchWith(down.overrides, "/api/auth/register", {
      method: "POST",
      body: { username: nameOn("DB_1", "later"), password: PASSWORD },
    });
    await expect503(res);

    // Everyone else: served as usual, by the same Worker with the same broken shard.
    for (const other of others) {
      expect((await fetchWith(down.overrides, "/api/me", { token: other.token })).status).toBe(200);
      expect((await login(other.user.username, down.overrides)).status).toBe(200);
      const lookup = await fetchWith(down.overrides, `/api/users/${other.user.username}`, { token: viewer.token });
      expect(lookup.status).toBe(200);
    }
    const elsewhere = await fetchWith(down.overrides, "/api/auth/register", {
      method: "POST",
      body: { username: nameOn("DB_2", "later"), password: PASSWORD },
    });
    expect(elsewhere.status).toBe(201);
    expect(down.failures).toBeGreaterThan(0);

    // Back up: its user is served again.
    expect((await api("/api/me", { token: victim.token })).status).toBe(200);
  }, 30_000);
});
