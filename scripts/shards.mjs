// The account shards' D1 bindings (DB_0, DB_1, ...) as wrangler.toml names
// them at its top level: `npm start` and the end-to-end server apply the
// migrations to each. src/shared/shards.ts lists the same bindings (the
// deploy test checks that they agree).

import { readFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");

/** @returns {string[]} */
export function shardBindings(config = path.join(ROOT, "wrangler.toml")) {
  const topLevel = readFileSync(config, "utf8").split(/^\[env\./m)[0] ?? "";
  return [...topLevel.matchAll(/^binding\s*=\s*"(DB_\d+)"/gm)].map((m) => m[1]);
}
