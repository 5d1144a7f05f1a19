// A long run: a group posting far more than its size threshold, its archive
// stepping after every round, keeps its SQLite under the threshold, and keeps
// the recent part hot (the archive stops once under it). Prints the sizes
// (docs/archive.md quotes them).

import { runInDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import { archiveAll, configureArchive, post } from "../../test/archive";
import { clearAlarms, groupStub, settle, team } from "../../test/groups";
import { connect } from "../../test/helpers";

const ROUNDS = 16;
const PER_ROUND = 60;
const PAGE = 50;

async function sizeOf(groupId: string): Promise<number> {
  return runInDurableObject(groupStub(groupId) as DurableObjectStub, (_, state) => state.storage.sql.databaseSize);
}

it("a group's SQLite stays under its threshold while it posts many times that", { timeout: 240_000 }, async () => {
  const { admin, rest, group, chat } = await team(2);
  await settle(group.id);
  const baseline = await sizeOf(group.id);
  const maxBytes = baseline + 120_000;
  await configureArchive(group.id, { pageEntries: PAGE, hotMs: 1e13, minAgeMs: 0, maxBytes, stepGapMs: 3_600_000 });
  const text = "lorem ipsum dolor sit amet ".repeat(8).slice(0, 200);
  const sizes: number[] = [];
  let posted = 0;
  for (let round = 0; round < ROUNDS; round++) {
    await post(
      group.id,
      admin.user.id,
      Array.from({ length: PER_ROUND }, (_, i) => `${round}.${i} ${text}`),
    );
    posted += PER_ROUND;
    await settle(group.id);
    await archiveAll(group.id);
    sizes.push(await sizeOf(group.id));
  }
  const stats = await groupStub(group.id).stats();
  console.log(
    `archive size run: baseline ${baseline} B, threshold ${maxBytes} B, ${posted} messages of 200+ characters; ` +
      `after each round: ${sizes.join(", ")} B; ${stats.archived} pages archived, ${stats.log} entries hot`,
  );
  // Without the archive: the first round's growth per message, times every message, is several times the room.
  const perMessage = ((sizes[0] ?? 0) - baseline) / PER_ROUND;
  console.log(
    `archive size run: ${Math.round(perMessage)} B per message; unarchived about ${Math.round(baseline + perMessage * posted)} B`,
  );
  expect(perMessage * posted).toBeGreaterThan(3 * (maxBytes - baseline));
  for (const size of sizes) expect(size).toBeLessThanOrEqual(maxBytes);
  expect(stats.archived).toBeGreaterThan(0);
  // Only what the size needs goes: the newest pages stay in SQLite.
  expect(stats.log).toBeGreaterThan(PAGE);
  // Every entry is in one place or the other, once.
  const total = await runInDurableObject(
    groupStub(group.id) as DurableObjectStub,
    (_, state) => state.storage.sql.exec<{ pos: number }>("SELECT max(pos) AS pos FROM log").one().pos,
  );
  expect(stats.log + stats.archived * PAGE).toBe(total);
  // And every message reads back: a new device's sync from the start, across every archived page.
  const bob = rest[0] as (typeof rest)[0];
  const device = await connect(bob.token);
  device.send({ type: "sync", after: 0 });
  await device.next("synced", () => true, 60_000);
  const synced = device
    .of("message")
    .map((f) => f.message)
    .filter((m) => m.chat === chat && !m.system);
  expect(synced).toHaveLength(posted);
  expect(new Set(synced.map((m) => m.id)).size).toBe(posted);
  expect(synced.at(0)?.text.startsWith("0.0 ")).toBe(true);
  device.close();
  await clearAlarms([group.id], [admin.user.id, ...rest.map((u) => u.user.id)]);
});
