// An archived page holding media messages (group schema steps 5 and 6): their
// search entries hold the file's name beside the caption, so the archive must
// delete exactly those (or FTS5's external-content index is corrupt), and a
// search by file name still finds the message once it is archived.

import { runInDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import type { Media, Message } from "../../shared/protocol";
import { archiveAll, configureArchive, keysOf, TINY } from "../../test/archive";
import { groupStub, settle, team } from "../../test/groups";
import { api } from "../../test/helpers";

const FILE: Media = {
  id: "a".repeat(32),
  kind: "file",
  mime: "application/pdf",
  size: 1234,
  name: "quarterly-budget.pdf",
};

it("archives media messages cleanly and finds them by file name afterwards", { timeout: 60_000 }, async () => {
  const { admin, rest, group } = await team(2);
  const bob = rest[0] as (typeof rest)[0];
  const stub = groupStub(group.id);
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) {
    const media = i === 2 ? FILE : undefined;
    const text = i === 2 ? "" : `note ${i}`;
    const answer = await stub.post(admin.user.id, `c-${crypto.randomUUID()}`, text, undefined, "~", undefined, media);
    if (!answer.ok) throw new Error(JSON.stringify(answer.error));
    ids.push(answer.value.id);
  }
  await settle(group.id);
  const search = async () => {
    const res = await api("/api/search?q=budget", { token: bob.token });
    expect(res.status).toBe(200);
    return ((await res.json()) as { messages: Message[] }).messages.map((m) => m.id);
  };
  expect(await search()).toEqual([ids[2]]); // from the index, before

  await configureArchive(group.id, TINY);
  expect(await archiveAll(group.id)).toBeGreaterThanOrEqual(2);
  expect((await keysOf(group.id)).length).toBeGreaterThanOrEqual(2);
  const left = await runInDurableObject(stub as DurableObjectStub, (_, state) => {
    const sql = state.storage.sql;
    // Throws SQLITE_CORRUPT_VTAB if the index of blocks is not consistent.
    sql.exec("INSERT INTO log_words (log_words) VALUES ('integrity-check')");
    return sql.exec<{ n: number }>("SELECT count(*) AS n FROM log WHERE media IS NOT NULL").one().n;
  });
  expect(left).toBe(0); // the media message's page went to R2
  expect(await search()).toEqual([ids[2]]); // from the archived page, after
});
