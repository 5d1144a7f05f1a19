// The layout of ids and usernames over the account shards (./shards.ts,
// docs/capacity.md): a username's bucket, an id's bucket and shard, ids made
// before sharding. The accounts themselves: src/workers/auth/shards.test.ts.

import { describe, expect, it } from "vitest";
import { randomId } from "./ids";
import {
  BUCKETS,
  bucketOfUserId,
  bucketOfUsername,
  byShard,
  LEGACY_SHARD,
  newUserId,
  SHARDS,
  type Shard,
  shardOfBucket,
  shardOfUser,
} from "./shards";

describe("the shard of an id and of a username", () => {
  it("hashes a username the same whatever its case, into BUCKETS buckets, pinned", () => {
    expect(bucketOfUsername("Alice_01")).toBe(bucketOfUsername("alice_01"));
    // The hash is a stored format: these must never change.
    expect([bucketOfUsername("alice"), bucketOfUsername("bob"), bucketOfUsername("a")]).toEqual([
      bucketOfUsername("ALICE"),
      bucketOfUsername("BOB"),
      bucketOfUsername("A"),
    ]);
    expect(PINNED.map(([name]) => [name, bucketOfUsername(name)])).toEqual(PINNED);
    const seen = new Set(Array.from({ length: 20_000 }, (_, i) => bucketOfUsername(`user_${i}`)));
    expect(seen.size).toBeGreaterThan(BUCKETS * 0.95);
    expect(Math.max(...seen)).toBeLessThan(BUCKETS);
  });

  it("a new id carries its bucket, keeps the 16-character shape, and maps to the bucket's shard", () => {
    for (const bucket of [0, 1, 31, 32, 1023, 1024, 2048, BUCKETS - 1]) {
      const id = newUserId(bucket);
      expect(id).toMatch(/^u[0-9a-z]{15}$/);
      expect(bucketOfUserId(id)).toBe(bucket);
      expect(shardOfUser(id)).toBe(shardOfBucket(bucket));
    }
    // Equal ranges: every shard owns BUCKETS / 4 buckets.
    const owned = new Map<Shard, number>();
    for (let b = 0; b < BUCKETS; b++) owned.set(shardOfBucket(b), (owned.get(shardOfBucket(b)) ?? 0) + 1);
    expect([...owned.values()]).toEqual(SHARDS.map(() => BUCKETS / SHARDS.length));
  });

  it("an id made before sharding (no bucket) lives on the legacy shard", () => {
    for (let i = 0; i < 50; i++) {
      const old = randomId();
      expect(bucketOfUserId(old)).toBeNull();
      expect(shardOfUser(old)).toBe(LEGACY_SHARD);
    }
    // "u" followed by something that is not a bucket is an old-style id too.
    expect(bucketOfUserId("uzzzzzzzzzzzzzzz")).toBeNull();
  });

  it("groups ids by shard, each once", () => {
    const zero = newUserId(0);
    const ids = SHARDS.flatMap((_, i) => [newUserId((i * BUCKETS) / SHARDS.length), zero]);
    const grouped = byShard([...ids, ...ids]);
    expect([...grouped.keys()].sort()).toEqual([...SHARDS]);
    expect(grouped.get(shardOfBucket(0))).toHaveLength(2);
  });
});

// bucketOfUsername of a few names, as computed when the format was fixed.
const PINNED: [string, number][] = [
  ["alice", 1566],
  ["bob", 2134],
  ["a", 435],
  ["user_0", 262],
  ["Zebra_99", 3787],
];
