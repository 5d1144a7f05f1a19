// Tests' view of the account shards (src/shared/shards.ts): the database of a
// user or username, a count over every shard, and a fault injected into the
// one shard that holds a user (for fetchWith's overrides or an object's env).

import { env } from "cloudflare:workers";
import { allShards, type Shard, shardOfUser, shardOfUsername, userDb, usernameDb } from "../shared/shards";
import { type FaultMode, type FaultyD1, faultyD1, OUTAGE_MESSAGE } from "./faulty-d1";

/** The database that holds this user's account and sessions. */
export function dbOf(userId: string): D1Database {
  return userDb(env, userId);
}

/** The database where this username is (or would be) stored. */
export function dbOfName(username: string): D1Database {
  return usernameDb(env, username);
}

/** A `SELECT count(*) AS n ...` summed over every shard. */
export async function countAll(sql: string, ...values: unknown[]): Promise<number> {
  const counts = await Promise.all(
    allShards(env).map(
      async ([, db]) =>
        (
          await db
            .prepare(sql)
            .bind(...values)
            .first<{ n: number }>()
        )?.n ?? 0,
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/** Fails the statements `fails` names on the shard of `user` (a user id, or `{ username }`); the others stay real. */
export function faultyShard(
  user: string | { username: string },
  fails: (sql: string) => boolean,
  mode: FaultMode = "before",
  message = OUTAGE_MESSAGE,
): FaultyD1 & { shard: Shard; overrides: Partial<Record<Shard, D1Database>> } {
  const shard = typeof user === "string" ? shardOfUser(user) : shardOfUsername(user.username);
  const faulty = faultyD1(env[shard], fails, mode, message);
  return Object.assign(faulty, { shard, overrides: { [shard]: faulty.db } });
}
