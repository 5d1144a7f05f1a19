// Runs before each Workers test file: the D1 schema from migrations/, on every account shard.
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { allShards } from "../shared/shards";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    }
  }
}

await Promise.all(allShards(env).map(([, db]) => applyD1Migrations(db, env.TEST_MIGRATIONS)));
