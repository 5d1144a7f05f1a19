// wrangler.toml: the production environment restates every binding of the
// top level (wrangler does not inherit Durable Object, D1, R2 bindings or
// vars), points at its own D1 database and R2 bucket, and inherits the
// Durable Object migrations, so a class added at the top level cannot be
// forgotten in production.

import path from "node:path";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { shardBindings } from "../../scripts/shards.mjs";
import { SHARDS } from "../../src/shared/shards";

const config = path.resolve(import.meta.dirname, "../../wrangler.toml");
const local = unstable_readConfig({ config });
const production = unstable_readConfig({ config, env: "production" });

describe("wrangler.toml environments", () => {
  it("has the same Durable Object bindings in production as in development", () => {
    const pairs = (c: typeof local) =>
      c.durable_objects.bindings.map((b: { name: string; class_name: string }) => `${b.name}=${b.class_name}`).sort();
    expect(pairs(production)).toEqual(pairs(local));
    expect(production.migrations).toEqual(local.migrations);
  });

  it("says the same in both whether a one-to-one chat is stored once (docs/one-copy-per-chat.md)", () => {
    expect(["on", "off"]).toContain(local.vars.HOSTED_GUEST_SEND);
    expect(production.vars.HOSTED_GUEST_SEND).toBe(local.vars.HOSTED_GUEST_SEND);
  });

  it("has the same D1 and R2 bindings, on its own database and bucket", () => {
    const names = (list: { binding: string }[]) => list.map((b) => b.binding).sort();
    expect(names(production.d1_databases)).toEqual(names(local.d1_databases));
    expect(names(production.r2_buckets)).toEqual(names(local.r2_buckets));
    for (const db of production.d1_databases) {
      const twin = local.d1_databases.find((d: { binding: string }) => d.binding === db.binding);
      expect(db.database_id).not.toEqual(twin?.database_id);
      expect(db.migrations_dir).toEqual(twin?.migrations_dir);
    }
    for (const bucket of production.r2_buckets) {
      expect(bucket.bucket_name).not.toEqual(
        local.r2_buckets.find((b: { binding: string }) => b.binding === bucket.binding)?.bucket_name,
      );
    }
  });

  it("names the account shards of src/shared/shards.ts, in both environments, each its own database", () => {
    const shards = (c: typeof local) => c.d1_databases.map((d: { binding: string }) => d.binding).sort();
    expect(shards(local)).toEqual([...SHARDS].sort());
    expect(shards(production)).toEqual([...SHARDS].sort());
    expect(shardBindings()).toEqual([...SHARDS]);
    for (const c of [local, production]) {
      const ids = c.d1_databases.map((d: { database_id?: string }) => d.database_id);
      expect(new Set(ids).size).toBe(SHARDS.length);
    }
  });

  it("sets every var of the top level, with ENVIRONMENT=production", () => {
    expect(Object.keys(production.vars).sort()).toEqual(Object.keys(local.vars).sort());
    expect(local.vars.ENVIRONMENT).toBe("development");
    expect(production.vars.ENVIRONMENT).toBe("production");
    expect(production.vars).not.toHaveProperty("JWT_SECRET");
  });

  it("inherits the entry module, compatibility settings and assets", () => {
    expect(production.main).toBe(local.main);
    expect(production.compatibility_date).toBe(local.compatibility_date);
    expect(production.compatibility_flags).toEqual(local.compatibility_flags);
    expect(production.assets).toEqual(local.assets);
  });
});
