// Helpers for the archive tests (docs/archive.md): a group's archive settings
// made tiny on the live instance, posts straight into the group object (no
// socket needed for hundreds of them), the archive stepped by hand, its R2
// keys listed, and faults put into its PUT.

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { GroupArchive, PutPage } from "../objects/group/archive";
import type { GroupParts } from "../objects/group/parts";
import type { ArchiveConfig } from "../objects/storage/archive-config";
import { groupStub } from "./groups";

/** Tiny pages, old at once, no minimum age; steps only when asked (the alarm's next step an hour away). */
export const TINY: Partial<ArchiveConfig> = { pageEntries: 5, hotMs: 1, minAgeMs: 0, stepGapMs: 3_600_000 };

function archiveOf(instance: unknown): GroupArchive {
  return (instance as { parts: GroupParts }).parts.archive;
}

/** Sets the archive's settings on the live instance (a restart brings back those of the environment). */
export async function configureArchive(groupId: string, config: Partial<ArchiveConfig>): Promise<void> {
  await runInDurableObject(groupStub(groupId) as DurableObjectStub, (instance) => {
    const archive = archiveOf(instance);
    archive.config = { ...archive.config, ...config };
  });
}

/** Replaces the archive's PUT with `wrap(real)` in the live instance. */
export async function wrapPut(groupId: string, wrap: (real: PutPage) => PutPage): Promise<void> {
  await runInDurableObject(groupStub(groupId) as DurableObjectStub, (instance) => {
    const archive = archiveOf(instance);
    archive.put = wrap(archive.put);
  });
}

/** Posts these texts as `sender`, one after the other; answers their ids. */
export async function post(groupId: string, sender: string, texts: string[], replyTo?: string): Promise<string[]> {
  const ids: string[] = [];
  for (const text of texts) {
    const answer = await groupStub(groupId).post(sender, `c-${crypto.randomUUID()}`, text, replyTo, "~");
    if (!answer.ok) throw new Error(`post failed: ${JSON.stringify(answer.error)}`);
    ids.push(answer.value.id);
  }
  return ids;
}

/** Runs archive steps until one has nothing to do; answers how many pages were written. */
export async function archiveAll(groupId: string): Promise<number> {
  let written = 0;
  for (;;) {
    const done = await groupStub(groupId).archiveStep();
    if (done === null) return written;
    if (done === "written") written += 1;
  }
}

/** The group's pages in R2. */
export async function keysOf(groupId: string): Promise<string[]> {
  const listed = await env.ARCHIVE.list({ prefix: `archive/g/${groupId}/` });
  return listed.objects.map((o) => o.key);
}

/** The rows of one of the group's SQLite tables, by a query (inside the object). */
export async function rowsOf<T>(groupId: string, query: string): Promise<T[]> {
  return runInDurableObject(groupStub(groupId) as DurableObjectStub, (_, state) =>
    state.storage.sql.exec(query).toArray(),
  ) as Promise<T[]>;
}
