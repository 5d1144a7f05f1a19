// Sharded accounts against `wrangler dev` (four local D1 databases, each
// migrated as `npm start` does): a user on every shard registers, logs in,
// passes the session check of HTTP and of a socket, is found by id and by
// username from every other shard, keeps its username across case, and logs
// out. The user id names its shard (src/shared/shards.ts).

import { describe, expect, inject, it } from "vitest";
import type { AuthAnswer, User } from "../../src/shared/protocol";
import { SHARDS, type Shard, shardOfUser, shardOfUsername } from "../../src/shared/shards";
import { http, RawSocket } from "../support/raw-socket";

const base = inject("baseUrl");
const PASSWORD = "e2e-password-123";

let counter = 0;
function nameOn(shard: Shard): string {
  for (;;) {
    counter += 1;
    const name = `sh_${process.pid}_${Date.now().toString(36)}_${counter}`.slice(0, 32);
    if (shardOfUsername(name) === shard) return name;
  }
}

describe("accounts over four local D1 databases", () => {
  it("a user on every shard: register, uniqueness across case, login, HTTP and socket, lookups, logout", async () => {
    const users: AuthAnswer[] = [];
    for (const shard of SHARDS) {
      const username = nameOn(shard);
      const res = await http<AuthAnswer>(base, "/api/auth/register", {
        method: "POST",
        body: { username, password: PASSWORD },
      });
      expect(res.status).toBe(201);
      expect(shardOfUser(res.body.user.id)).toBe(shard);
      users.push(res.body);
      const again = await http(base, "/api/auth/register", {
        method: "POST",
        body: { username: username.toUpperCase(), password: PASSWORD },
      });
      expect(again).toMatchObject({ status: 409, body: { error: { code: "username_taken" } } });
    }
    expect(new Set(users.map((u) => shardOfUser(u.user.id))).size).toBe(SHARDS.length);

    const ids = users.map((u) => u.user.id);
    for (const { user } of users) {
      const login = await http<AuthAnswer>(base, "/api/auth/login", {
        method: "POST",
        body: { username: user.username.toUpperCase(), password: PASSWORD },
      });
      expect(login.status).toBe(200);
      const { token } = login.body;
      expect((await http<User>(base, "/api/me", { token })).body.id).toBe(user.id);
      const socket = await RawSocket.open(base, token);
      socket.send({ type: "sync", after: 0 });
      await socket.until((s) => s.of("synced").length > 0, 10_000, "synced");
      const many = await http<{ users: User[] }>(base, `/api/users?ids=${ids.join(",")}`, { token });
      expect(many.body.users.map((u) => u.id)).toEqual(ids);
      for (const other of users) {
        const one = await http<User>(base, `/api/users/${other.user.username}`, { token });
        expect(one.body.id).toBe(other.user.id);
      }
      expect((await http(base, "/api/auth/logout", { method: "POST", token })).status).toBe(204);
      expect((await http(base, "/api/me", { token })).status).toBe(401);
      await socket.until((s) => s.closed, 10_000, "the socket closed by logout");
    }
  });
});
