// A long run: a user sending far more than the mailbox's size threshold, its
// archive stepping after every round, keeps its SQLite under the threshold
// and keeps the recent part hot (the archive stops once under it). Prints the
// sizes (docs/archive.md quotes them).

import { runInDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import { keepAlive } from "../../test/group-faults";
import { clearAlarms } from "../../test/groups";
import { connect, type TestSocket, userStub } from "../../test/helpers";
import { archiveAll, configureArchive, copiesPair, historyPages, unlimitFrames } from "../../test/mailbox-archive";

const ROUNDS = 16;
const PER_ROUND = 60;
const PAGE = 50;

async function sizeOf(userId: string): Promise<number> {
  return runInDurableObject(userStub(userId) as DurableObjectStub, (_, state) => state.storage.sql.databaseSize);
}

/** Sends a round without waiting for each answer, then waits for all of them. */
async function sendRound(socket: TestSocket, chat: string, texts: string[]): Promise<void> {
  const before = socket.of("sent").length;
  for (const [i, text] of texts.entries())
    socket.send({ type: "send", clientId: `r-${crypto.randomUUID()}-${i}`, chat, text });
  await socket.until((s) => s.of("sent").length === before + texts.length, 30_000);
}

it("a mailbox's SQLite stays under its threshold while it sends many times that", { timeout: 240_000 }, async () => {
  // Today's copies (the sender's mailbox holds its own), whatever the run's HOSTED_GUEST_SEND.
  const { alice, bob, a, b, toBob } = await copiesPair();
  // The tests' presence sweep (2 s) closes a quiet socket; a round under load is quiet longer than that.
  const stop = keepAlive([a, b]);
  await sendRound(a, toBob, ["first"]);
  await unlimitFrames(alice.user.id);
  const baseline = await sizeOf(alice.user.id);
  const maxBytes = baseline + 120_000;
  await configureArchive(alice.user.id, {
    pageEntries: PAGE,
    hotMs: 1e13,
    minAgeMs: 0,
    maxBytes,
    stepGapMs: 3_600_000,
  });
  const text = "lorem ipsum dolor sit amet ".repeat(8).slice(0, 200);
  const sizes: number[] = [];
  let sent = 1;
  for (let round = 0; round < ROUNDS; round++) {
    await sendRound(
      a,
      toBob,
      Array.from({ length: PER_ROUND }, (_, i) => `${round}.${i} ${text}`),
    );
    sent += PER_ROUND;
    // Bob's object has taken them all (Alice's peer log is confirmed): then the archive may take them.
    await b.until((s) => s.of("message").length === sent, 30_000);
    // Bob's device may show the last message a moment before Alice's object has his object's answer
    // (the peer's confirmation, without which nothing of the page goes): steps again until it has.
    for (let tries = 0; tries < 20; tries++) {
      await archiveAll(alice.user.id);
      if ((await sizeOf(alice.user.id)) <= maxBytes) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    sizes.push(await sizeOf(alice.user.id));
  }
  const stats = await userStub(alice.user.id).stats();
  console.log(
    `mailbox archive size run: baseline ${baseline} B, threshold ${maxBytes} B, ${sent} messages of 200+ characters; ` +
      `after each round: ${sizes.join(", ")} B; ${stats.archived} pages archived (${stats.archivedMessages} messages, ` +
      `${stats.archivedBytes} B in R2), ${stats.messages} messages hot`,
  );
  const perMessage = ((sizes[0] ?? 0) - baseline) / PER_ROUND;
  console.log(
    `mailbox archive size run: ${Math.round(perMessage)} B per message; unarchived about ${Math.round(baseline + perMessage * sent)} B`,
  );
  // Without the archive: several times the room.
  expect(perMessage * sent).toBeGreaterThan(3 * (maxBytes - baseline));
  // Under the threshold, give or take one page: the archive takes whole pages only, and the search
  // index's segments grow and merge on their own schedule (seen: 7 kB over, once in three runs).
  for (const size of sizes) expect(size).toBeLessThanOrEqual(maxBytes + PAGE * perMessage);
  expect(stats.archived).toBeGreaterThan(0);
  // Only what the size needs goes: the newest pages stay in SQLite.
  expect(stats.messages).toBeGreaterThan(PAGE);
  // Every message is in one place or the other, once.
  expect(stats.messages + stats.archivedMessages).toBe(sent);
  // And every message reads back: history across every page, and a new device's sync from the start.
  const history = await historyPages(alice.token, toBob, 100);
  expect(history).toHaveLength(sent);
  expect(new Set(history.map((m) => m.id)).size).toBe(sent);
  const device = await connect(alice.token);
  const stopDevice = keepAlive([device]);
  device.send({ type: "sync", after: 0, batch: true });
  await device.next("synced", () => true, 60_000);
  const synced = device.of("replay").flatMap((f) => f.frames.filter((x) => x.type === "message"));
  expect(synced).toHaveLength(sent);
  stopDevice();
  stop();
  device.close();
  a.close();
  b.close();
  await clearAlarms([], [alice.user.id, bob.user.id]);
});
