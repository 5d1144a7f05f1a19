// Accounts sharded over several D1 databases (docs/capacity.md, "Accounts in
// D1"). The one place that knows which database holds an account: everything
// that reads or writes `users`, `sessions` or `blocks` asks here.
//
// - A username hashes (lower case, FNV-1a then a 32-bit finalizer, modulo
//   BUCKETS) into one of BUCKETS virtual buckets; the account lives in that
//   bucket, so a lookup by username and the uniqueness of a username (the
//   unique index on users.username) need one database only.
// - A user id made at registration carries its bucket: "u", then the bucket
//   in three base32 characters, then 12 random ones (16 characters, as
//   before). A lookup by id (every token names one) needs no directory.
//   The "u" never starts an older id: those were all random Crockford base32,
//   which has no "u".
// - An older id (made before sharding, no bucket) lives on LEGACY_SHARD: the
//   database that held every account before, kept as DB_0 (same database).
//   Its account's username may hash elsewhere, so while LEGACY_SHARD is set a
//   username not found on its own shard is also looked for there (a second
//   query for misses only; see workers/auth/accounts.ts).
// - Sessions and the blocks a user made live beside the user (by user id).
// - Buckets map to databases below: contiguous equal ranges over RANGES, and
//   MOVED for single buckets moved since (adding a database moves whole
//   buckets, one at a time: workers/accounts/move-bucket.ts; no id changes).
//
// The hash and the id layout are a stored format: never change them.

import { ALPHABET, randomId } from "./ids";

export const BUCKETS = 4096;

/** The D1 bindings that hold accounts (wrangler.toml names each, in every environment). */
export const SHARDS = ["DB_0", "DB_1", "DB_2", "DB_3"] as const;
export type Shard = (typeof SHARDS)[number];

/**
 * The shards that own the buckets by equal ranges. Fixed once accounts exist:
 * changing it would move every bucket at once. A database added later is
 * added to SHARDS only, and gets buckets one at a time through MOVED.
 */
const RANGES: readonly Shard[] = ["DB_0", "DB_1", "DB_2", "DB_3"];

/** Where accounts made before sharding live (ids without a bucket); null once there are none. */
export const LEGACY_SHARD: Shard | null = "DB_0";

/** Buckets moved off the database of their range: bucket → shard. Empty until a database is added. */
const MOVED: Record<number, Shard> = {};

/**
 * Buckets in the middle of a move (workers/accounts/move-bucket.ts): bucket →
 * the shard they come from. Their reads of an account or a session that miss
 * on the new shard look there too, until the move's catch-up has copied what
 * Workers of the old map wrote. Empty when no move is under way.
 */
const MOVING_FROM: Record<number, Shard> = {};

/**
 * Changes the map of one bucket in this isolate. In production the map is
 * code: a move edits MOVED and MOVING_FROM above and deploys (docs/capacity.md,
 * "Moving a bucket"); tests call this to play that deploy.
 */
export function setBucketMap(bucket: number, to: Shard | null, movingFrom: Shard | null = null): void {
  if (to === null) delete MOVED[bucket];
  else MOVED[bucket] = to;
  if (movingFrom === null) delete MOVING_FROM[bucket];
  else MOVING_FROM[bucket] = movingFrom;
}

/** The shard a user's bucket is being moved from, if a move is under way (see MOVING_FROM). */
export function previousShardOfUser(id: string): Shard | null {
  const bucket = bucketOfUserId(id);
  return bucket === null ? null : (MOVING_FROM[bucket] ?? null);
}

/** The shard a username's bucket is being moved from, if a move is under way. */
export function previousShardOfUsername(username: string): Shard | null {
  return MOVING_FROM[bucketOfUsername(username)] ?? null;
}

/** The database of a bucket: its entry in MOVED, else its range (RANGES.length equal ranges). */
export function shardOfBucket(bucket: number): Shard {
  return MOVED[bucket] ?? (RANGES[Math.floor((bucket * RANGES.length) / BUCKETS)] as Shard);
}

/** The bucket of a username: stable, whatever its case. */
export function bucketOfUsername(username: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(username.toLowerCase())) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  // murmur3's finalizer: every input bit reaches the low bits the modulo keeps.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % BUCKETS;
}

const ID_MARK = "u";

/** A new user id in `bucket`: "u", three base32 characters of bucket, 12 random ones. */
export function newUserId(bucket: number): string {
  return bucketPrefix(bucket) + randomId(12);
}

/** The first four characters of every user id in `bucket`. */
export function bucketPrefix(bucket: number): string {
  let code = "";
  for (let rest = bucket, i = 0; i < 3; i++, rest = Math.floor(rest / 32)) code = ALPHABET[rest % 32] + code;
  return ID_MARK + code;
}

/** The bucket a user id carries, or null for an id made before sharding. */
export function bucketOfUserId(id: string): number | null {
  if (id.length !== 16 || id[0] !== ID_MARK) return null;
  let bucket = 0;
  for (const char of id.slice(1, 4)) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) return null;
    bucket = bucket * 32 + digit;
  }
  return bucket < BUCKETS ? bucket : null;
}

/** The database of a user, by id. */
export function shardOfUser(id: string): Shard {
  const bucket = bucketOfUserId(id);
  return bucket === null ? (LEGACY_SHARD ?? (SHARDS[0] as Shard)) : shardOfBucket(bucket);
}

/** The database where a username is unique (and where its new account goes). */
export function shardOfUsername(username: string): Shard {
  return shardOfBucket(bucketOfUsername(username));
}

/** What holds the shards: the Worker's or an object's env (typed loosely, so the web build can read this file). */
export type ShardEnv<D> = Record<Shard, D>;

export function userDb<D>(env: ShardEnv<D>, id: string): D {
  return env[shardOfUser(id)];
}

export function usernameDb<D>(env: ShardEnv<D>, username: string): D {
  return env[shardOfUsername(username)];
}

/** User ids grouped by the database that holds them, each id once: a query per shard, not per id. */
export function byShard(ids: Iterable<string>): Map<Shard, string[]> {
  const out = new Map<Shard, string[]>();
  for (const id of new Set(ids)) {
    const shard = shardOfUser(id);
    const list = out.get(shard);
    if (list) list.push(id);
    else out.set(shard, [id]);
  }
  return out;
}

/** Every shard with its database, for checks and operations that span all accounts. */
export function allShards<D>(env: ShardEnv<D>): [Shard, D][] {
  return SHARDS.map((shard) => [shard, env[shard]]);
}
