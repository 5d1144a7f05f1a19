// Display names for group members, from D1 (the group object keeps only ids,
// so that a renamed user shows their new name everywhere). Accounts are
// sharded (shared/shards.ts): the ids are grouped by shard and each shard is
// asked once (safety/blocks-db.ts perShard), in chunks for D1's 100 bound
// parameters per query.

import { AppError } from "../../shared/errors";
import type { Group } from "../../shared/protocol";
import { perShard } from "../safety/blocks-db";

/** Display names by user id, for the ids that exist. */
export async function displayNames(env: Env, ids: readonly string[]): Promise<Map<string, string>> {
  const rows = await perShard<{ id: string; display_name: string }>(env, ids, (db, chunk) =>
    db.prepare(`SELECT id, display_name FROM users WHERE id IN (${chunk.map(() => "?").join(", ")})`).bind(...chunk),
  );
  return new Map(rows.map((row) => [row.id, row.display_name]));
}

/** Fails with unknown_user unless every id is a user; answers their names. */
export async function requireUsers(env: Env, ids: readonly string[]): Promise<Map<string, string>> {
  const names = await displayNames(env, ids);
  const missing = ids.find((id) => !names.has(id));
  if (missing !== undefined) throw new AppError("unknown_user", `no such user: ${missing}`);
  return names;
}

/** The group with each member's display name. */
export async function withNames(env: Env, group: Group, known?: Map<string, string>): Promise<Group> {
  const ids = group.members.map((m) => m.id);
  const names = known ?? (await displayNames(env, ids));
  return {
    ...group,
    members: group.members.map((m) => {
      const displayName = names.get(m.id);
      return displayName === undefined ? m : { ...m, displayName };
    }),
  };
}
