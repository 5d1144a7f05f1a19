// What one message costs in Durable Object storage, measured in the runtime:
// SQLite rows written (billed per row, index entries included; an alarm set
// counts as one) and bytes per stored mailbox row. docs/capacity.md and
// scripts/capacity.mjs use these numbers; the bounds below fail the suite if
// a change makes a message much dearer than the plan assumes.
// Run alone to see the figures: npx vitest run --project workers src/objects/footprint.test.ts
// The group cases count receipts too (every member connected and acknowledging), as issue 16 does.

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { randomId } from "../shared/ids";
import { newUserId, shardOfBucket } from "../shared/shards";
import { clearAlarms, createGroup, groupStub, insertUsers, settle, tokensFor } from "../test/groups";
import { connect, register, type TestSocket, userStub } from "../test/helpers";

/**
 * Counts every row written through any object's SQLite in this isolate (the
 * test's objects run here), and every alarm set, by wrapping the runtime's
 * own SqlStorage.exec and setAlarm; nothing else changes. Undone by stop().
 */
class WriteMeter {
  private cursors: { query: string; cursor: SqlStorageCursor<Record<string, SqlStorageValue>> }[] = [];
  private alarms = 0;
  private undo: (() => void) | undefined;

  async start(anyObject: DurableObjectStub): Promise<void> {
    await runInDurableObject(anyObject, (_instance, state) => {
      const sqlProto = Object.getPrototypeOf(state.storage.sql) as SqlStorage;
      const storageProto = Object.getPrototypeOf(state.storage) as DurableObjectStorage;
      const exec = sqlProto.exec;
      const setAlarm = storageProto.setAlarm;
      const cursors = this.cursors;
      const count = () => {
        this.alarms += 1;
      };
      sqlProto.exec = function (this: SqlStorage, query: string, ...bindings: unknown[]) {
        const cursor = exec.call(this, query, ...bindings);
        cursors.push({ query, cursor });
        return cursor;
      } as typeof exec;
      storageProto.setAlarm = function (this: DurableObjectStorage, ...args: Parameters<typeof setAlarm>) {
        count();
        return setAlarm.apply(this, args);
      };
      this.undo = () => {
        sqlProto.exec = exec;
        storageProto.setAlarm = setAlarm;
      };
    });
  }

  stop(): void {
    this.undo?.();
  }

  /** Rows written since the last call (alarms included), then starts again from zero. */
  take(): number {
    return this.takeDetailed().total;
  }

  /** The same, with the rows of each kind of statement (its first words). */
  takeDetailed(): { total: number; byStatement: [string, number][] } {
    const by = new Map<string, number>();
    for (const { query, cursor } of this.cursors) {
      if (cursor.rowsWritten === 0) continue;
      const key = query.replace(/\s+/g, " ").trim().slice(0, 48);
      by.set(key, (by.get(key) ?? 0) + cursor.rowsWritten);
    }
    if (this.alarms > 0) by.set("setAlarm", this.alarms);
    const total = [...by.values()].reduce((n, x) => n + x, 0);
    this.cursors.length = 0;
    this.alarms = 0;
    return { total, byStatement: [...by.entries()].sort((x, y) => y[1] - x[1]) };
  }
}

function perItem(detail: { byStatement: [string, number][] }, count: number): string {
  return detail.byStatement.map(([q, n]) => `  ${(n / count).toFixed(1).padStart(5)}  ${q}`).join("\n");
}

async function databaseSize(stub: DurableObjectStub): Promise<number> {
  return runInDurableObject(stub, (_instance, state) => state.storage.sql.databaseSize);
}

async function drain(userIds: string[]): Promise<void> {
  for (const id of userIds) {
    const stub = userStub(id);
    for (let i = 0; i < 5 && (await stub.stats()).outbox > 0; i++) await runDurableObjectAlarm(stub);
    await runDurableObjectAlarm(stub);
  }
}

const N = 200;
const TEXT = "x".repeat(100); // the plan's average message

describe("storage footprint", { timeout: 120_000 }, () => {
  it("one-to-one: rows written to send, to mark delivered and read; bytes per mailbox row", async () => {
    const alice = await register();
    const bob = await register();
    const a = await connect(alice.token);
    const b = await connect(bob.token);
    // Ping while listening, or the presence sweep (2 s in these tests) drops a socket as silent.
    const keepAlive = setInterval(() => {
      a.send("ping");
      b.send("ping");
    }, 500);
    const meter = new WriteMeter();
    await meter.start(userStub(alice.user.id));
    const bobSize = await databaseSize(userStub(bob.user.id));
    meter.take();

    for (let i = 0; i < N; i++) {
      // Paced within the per-user frame budget of the workers tests (50/s, bursts of 100):
      // on a quiet machine 200 sends in a row outrun it and get rate_limited.
      if (i > 0 && i % 40 === 0) await new Promise((r) => setTimeout(r, 1000));
      a.send({ type: "send", clientId: `m${i}`, chat: `u:${bob.user.id}`, text: TEXT });
      await a.next("sent", (f) => f.clientId === `m${i}`);
    }
    await b.until((s) => s.of("message").length === N, 30_000);
    await drain([alice.user.id]);
    const sending = meter.takeDetailed();
    const send = sending.total / N;
    console.log(`footprint 1:1: rows written per message sent, by statement:\n${perItem(sending, N)}`);
    const bytes = ((await databaseSize(userStub(bob.user.id))) - bobSize) / N;

    // Bob's device acknowledges the first half one message per frame, the second
    // half ten per frame, and reads in steps of 10 throughout.
    const ids = b.of("message").map((f) => f.message.id);
    const half = N / 2;
    const receiptRows = async (from: number, perFrame: number) => {
      // Paced within the per-user frame budget of the workers tests (50/s, bursts of 100).
      const frames: unknown[] = [];
      for (let i = from; i < from + half; i += perFrame)
        frames.push({ type: "received", ids: ids.slice(i, i + perFrame) });
      for (let i = from + 9; i < from + half; i += 10)
        frames.push({ type: "read", chat: `u:${alice.user.id}`, upTo: ids[i] });
      for (let i = 0; i < frames.length; i++) {
        if (i > 0 && i % 40 === 0) await new Promise((r) => setTimeout(r, 1000));
        b.send(frames[i]);
      }
      // Read receipts are gathered a moment (user/receipt-gather.ts): wait for the last read's ids.
      const lastRead = ids[from + half - 1] ?? "";
      await a.until((x) => x.of("receipt").some((r) => r.status === "read" && r.ids.includes(lastRead)), 20_000);
      await drain([bob.user.id]);
      const detail = meter.takeDetailed();
      console.log(`footprint 1:1 receipts, ${perFrame} per frame, rows per message:\n${perItem(detail, half)}`);
      return detail.total / half;
    };
    const eachAcked = await receiptRows(0, 1);
    const tenPerFrame = await receiptRows(half, 10);

    console.log(
      `footprint 1:1: ${send.toFixed(1)} rows written per message sent and delivered; ` +
        `for its receipts (read per 10): ${eachAcked.toFixed(1)} when acknowledged one per frame, ` +
        `${tenPerFrame.toFixed(1)} when ten per frame; ` +
        `${Math.round(bytes)} bytes per mailbox row (${TEXT.length}-character text)`,
    );
    meter.stop();
    clearInterval(keepAlive);
    expect(send).toBeGreaterThan(0);
    // Measured 12.1 and 2.4 (schema step 7 and receipts gathered, docs/architecture.md "Rows per
    // message"); were 23.1 and 14.1 at eb60dea, 12.2 and 7.7 before the receipts were gathered.
    expect(send).toBeLessThan(13);
    expect(eachAcked).toBeLessThan(4);
    expect(send + eachAcked).toBeLessThan(16);
    expect(tenPerFrame).toBeLessThan(eachAcked);
    expect(bytes).toBeLessThan(1024);
    a.close();
    b.close();
    await drain([alice.user.id, bob.user.id]);
  });

  // Every member connected, each device acknowledging every message in its own
  // frame and reading up to the newest every 10 messages: what the issue's
  // target counts ("all objects, receipts included").
  // 100 members (10 messages) measured 2,472.9 rows per message (24.7 per member) on
  // 2026-12-02 with [100, 10] below; left out of the suite, since on a loaded machine the
  // 2 s presence timeout of these tests drops some of the 100 sockets mid-measure.
  for (const [size, M] of [[10, 60]] as const) {
    it(`group of ${size}: rows written per message, for the group and all members, receipts included`, async () => {
      const [admin, ...others] = [await register(), ...(await insertUsers(size - 1))];
      if (!admin) throw new Error("no admin");
      const group = await createGroup(admin.token, "footprint", others);
      await settle(group.id, 30_000);
      const chat = `g:${group.id}` as const;
      // Pinging from the first socket on: the presence sweep of these tests drops one silent for 2 s.
      const sockets: TestSocket[] = [];
      const keepAlive = setInterval(() => {
        for (const s of sockets) if (!s.closed) s.send("ping");
      }, 300);
      for (const token of await tokensFor(others)) sockets.push(await connect(token));
      const meter = new WriteMeter();
      await meter.start(groupStub(group.id) as DurableObjectStub);
      const sender: TestSocket = await connect(admin.token);
      sockets.push(sender);
      meter.take();
      // What the same sockets cost with no message at all: the presence sweep of these tests
      // (an alarm and a lastSeen row per user every 2 s; 60 s deployed), taken out below.
      const IDLE_MS = 3000;
      await new Promise((r) => setTimeout(r, IDLE_MS));
      const idlePerMs = meter.take() / IDLE_MS;
      const started = Date.now();
      for (let i = 0; i < M; i++) {
        sender.send({ type: "send", clientId: `g${i}`, chat, text: TEXT });
        // Generous: with 100 members acknowledging, a loaded machine answers slowly.
        const sent = await sender.next("sent", (f) => f.clientId === `g${i}`, 30_000);
        const closed = sockets.find((s) => s.closed);
        if (closed) throw new Error(`a member's socket closed: ${JSON.stringify(closed.closed)}`);
        const members = sockets.filter((s) => s !== sender);
        await Promise.all(members.map((s) => s.next("message", (f) => f.message.id === sent.id, 30_000)));
        for (const s of members) s.send({ type: "received", ids: [sent.id] });
        if ((i + 1) % 10 === 0) for (const s of members) s.send({ type: "read", chat, upTo: sent.id });
      }
      // Every member has read every message, however the receipts were gathered into frames
      // (a slow machine gathers more of them into one: counting frames would wait for ever).
      const readPairs = (s: TestSocket) =>
        new Set(s.of("receipt").flatMap((r) => (r.status === "read" ? r.ids.map((id) => `${r.by} ${id}`) : []))).size;
      await sender.until((s) => readPairs(s) >= M * (size - 1), 60_000);
      await settle(group.id, 30_000);
      await drain([admin.user.id, ...others]);
      const detail = meter.takeDetailed();
      const idle = idlePerMs * (Date.now() - started);
      meter.stop();
      clearInterval(keepAlive);
      const perMessage = (detail.total - idle) / M;
      console.log(`footprint group of ${size}: rows written per message, by statement:\n${perItem(detail, M)}`);
      console.log(
        `footprint group of ${size}: ${perMessage.toFixed(1)} rows written per message, receipts included, ` +
          `less the idle presence sweep of these tests (${(idle / M).toFixed(1)} a message) ` +
          `(${(perMessage / size).toFixed(1)} per member; the issue's target is ${(5 + 0.1 * size).toFixed(1)})`,
      );
      // Stored once (schema steps: group 3, user 8): the log's row and indexes, the sender's
      // own run, and per member a write per FLUSH_EVERY messages. Measured 226.8 before.
      expect(perMessage).toBeGreaterThan(4);
      expect(perMessage).toBeLessThan(5 + size);
      for (const s of sockets) s.close();
      await clearAlarms([group.id], [admin.user.id, ...others]);
    });
  }

  // Reactions (docs/actions.md, "Reactions"): each one replaces the reactor's row in place.
  it("reactions: rows written per reaction, one-to-one and in a group of 10", async () => {
    const R = 40;
    const emoji = ["👍", "❤️", "😂", "🙏"];
    const alice = await register();
    const bob = await register();
    const [a, b] = [await connect(alice.token), await connect(bob.token)];
    const keepAlive = setInterval(() => {
      for (const s of [a, b]) if (!s.closed) s.send("ping");
    }, 500);
    a.send({ type: "send", clientId: "m", chat: `u:${bob.user.id}`, text: TEXT });
    const sent = await a.next("sent", (f) => f.clientId === "m");
    await b.next("message", (f) => f.message.id === sent.id);
    await drain([alice.user.id]);
    const meter = new WriteMeter();
    await meter.start(userStub(alice.user.id));
    meter.take();
    for (let i = 0; i < R; i++) {
      b.send({ type: "react", clientId: `r${i}`, id: sent.id, emoji: emoji[i % emoji.length] });
      await b.next("update", (f) => f.clientId === `r${i}`);
    }
    await a.until((s) => s.of("update").length === R, 20_000);
    await drain([bob.user.id]);
    const direct = meter.takeDetailed();
    console.log(`footprint 1:1 reaction, rows per reaction by statement:\n${perItem(direct, R)}`);

    const size = 10;
    const others = await insertUsers(size - 1);
    const group = await createGroup(alice.token, "reactions", others);
    await settle(group.id, 30_000);
    const chat = `g:${group.id}` as const;
    const members: TestSocket[] = [];
    for (const token of await tokensFor(others)) members.push(await connect(token));
    const pinging = setInterval(() => {
      for (const s of members) if (!s.closed) s.send("ping");
    }, 300);
    a.send({ type: "send", clientId: "g", chat, text: TEXT });
    const posted = await a.next("sent", (f) => f.clientId === "g");
    await settle(group.id, 30_000);
    meter.take();
    for (let i = 0; i < R; i++) {
      const socket = members[i % members.length] as TestSocket;
      socket.send({ type: "react", clientId: `gr${i}`, id: posted.id, emoji: emoji[i % emoji.length] });
      await socket.next("update", (f) => f.clientId === `gr${i}`, 30_000);
    }
    await settle(group.id, 30_000);
    await drain([alice.user.id, ...others]);
    const grouped = meter.takeDetailed();
    meter.stop();
    clearInterval(keepAlive);
    clearInterval(pinging);
    console.log(`footprint group of ${size} reaction, rows per reaction by statement:\n${perItem(grouped, R)}`);
    console.log(
      `footprint reactions: ${(direct.total / R).toFixed(1)} rows written per one-to-one reaction (both mailboxes), ` +
        `${(grouped.total / R).toFixed(1)} per reaction in a group of ${size} (group and every member)`,
    );
    // Measured 10.0 and 6.3 (2026-12-06). One-to-one: in each mailbox the reaction's row (1) and the
    // message's one entry moved to a new seq (2: the row and its index entry); the reactor's id clock
    // (1) and outbox row (2, deleted once confirmed: 1). Group: the log's change entry (3: row, id
    // and clientId indexes), the reaction's row (1), and members' positions and cursors in batches.
    expect(direct.total / R).toBeLessThan(11);
    expect(grouped.total / R).toBeLessThan(5 + size);
    for (const s of [a, b, ...members]) s.close();
    await clearAlarms([group.id], [alice.user.id, bob.user.id, ...others]);
  });

  it("D1: bytes per account with one session (what sharding the accounts must hold)", async () => {
    const count = 2000;
    const now = Date.now();
    const b64 = (bytes: number) => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes))));
    // On one shard (that of bucket 0), as sharding would place them: the size is per database.
    const shard = shardOfBucket(0);
    const db = env[shard];
    const before = (await db.prepare("SELECT 1").run()).meta.size_after;
    const users = Array.from({ length: count }, () => ({ id: newUserId(0), name: `user_${randomId(7)}` }));
    const insertUser = db.prepare(
      `INSERT INTO users (id, username, display_name, password_hash, password_salt, password_iterations, created_at)
       VALUES (?, ?, ?, ?, ?, 100000, ?)`,
    );
    const insertSession = db.prepare(
      "INSERT INTO sessions (id, user_id, device, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
    );
    const device = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
    for (let i = 0; i < count; i += 200) {
      const chunk = users.slice(i, i + 200);
      await db.batch([
        ...chunk.map((u) => insertUser.bind(u.id, u.name, `User ${u.name}`, b64(32), b64(16), now)),
        ...chunk.map((u) => insertSession.bind(randomId(), u.id, device, now, now + 1e9)),
      ]);
    }
    const after = (await db.prepare("SELECT 1").run()).meta.size_after;
    const perAccount = (after - before) / count;
    console.log(`footprint D1: ${Math.round(perAccount)} bytes per account with one session (indexes included)`);
    expect(perAccount).toBeGreaterThan(100);
    expect(perAccount).toBeLessThan(2048);
  });
});
