// Display names for group members, from D1 (the group object keeps only ids,
// so that a renamed user shows their new name everywhere). D1 takes at most
// 100 bound parameters per query, so big groups are read in chunks.

import { AppError } from "../../shared/errors";
import type { Group } from "../../shared/protocol";

const CHUNK = 100;

/** Display names by user id, for the ids that exist. */
export async function displayNames(db: D1Database, ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const chunk = unique.slice(i, i + CHUNK);
    const marks = chunk.map(() => "?").join(", ");
    statements.push(db.prepare(`SELECT id, display_name FROM users WHERE id IN (${marks})`).bind(...chunk));
  }
  const names = new Map<string, string>();
  if (statements.length === 0) return names;
  for (const result of await db.batch<{ id: string; display_name: string }>(statements)) {
    for (const row of result.results) names.set(row.id, row.display_name);
  }
  return names;
}

/** Fails with unknown_user unless every id is a user; answers their names. */
export async function requireUsers(db: D1Database, ids: readonly string[]): Promise<Map<string, string>> {
  const names = await displayNames(db, ids);
  const missing = ids.find((id) => !names.has(id));
  if (missing !== undefined) throw new AppError("unknown_user", `no such user: ${missing}`);
  return names;
}

/** The group with each member's display name. */
export async function withNames(db: D1Database, group: Group, known?: Map<string, string>): Promise<Group> {
  const ids = group.members.map((m) => m.id);
  const names = known ?? (await displayNames(db, ids));
  return {
    ...group,
    members: group.members.map((m) => {
      const displayName = names.get(m.id);
      return displayName === undefined ? m : { ...m, displayName };
    }),
  };
}
