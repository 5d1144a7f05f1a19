// What one message costs in Durable Object storage, measured in the runtime:
// SQLite rows written (billed per row, index entries included; an alarm set
// counts as one) and bytes per stored mailbox row. docs/capacity.md and
// scripts/capacity.mjs use these numbers; the bounds below fail the suite if
// a change makes a message much dearer than the plan assumes.
// Run alone to see the figures: npx vitest run --project workers src/objects/footprint.test.ts
// The group cases are in ./footprint-group.test.ts.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { randomId } from "../shared/ids";
import { newUserId, shardOfBucket } from "../shared/shards";
import { connect, register, type TestSocket, userStub } from "../test/helpers";
import { guestMessage, hostAndGuest, hostedSendOff, hostedSendOn } from "../test/hosted";
import { databaseSize, drain, MeteredSockets, perItem } from "../test/write-meter";

const N = 200;
const TEXT = "x".repeat(100); // the plan's average message

describe("storage footprint", { timeout: 120_000 }, () => {
  it("one-to-one: rows written to send, to mark delivered and read; bytes per mailbox row", async () => {
    const alice = await register();
    const bob = await register();
    // Today's two copies, whatever the run's HOSTED_GUEST_SEND (the hosted figures are the cases below).
    await hostedSendOff(alice.user.id);
    await hostedSendOff(bob.user.id);
    const metered = new MeteredSockets();
    const [a, b] = await metered.connect(alice.token, bob.token);
    await metered.start(userStub(alice.user.id));
    const bobSize = await databaseSize(userStub(bob.user.id));

    const sending = await metered.rows(async () => {
      for (let i = 0; i < N; i++) {
        // Paced within the per-user frame budget of the workers tests (50/s, bursts of 100):
        // on a quiet machine 200 sends in a row outrun it and get rate_limited.
        if (i > 0 && i % 40 === 0) await new Promise((r) => setTimeout(r, 1000));
        a.send({ type: "send", clientId: `m${i}`, chat: `u:${bob.user.id}`, text: TEXT });
        await a.next("sent", (f) => f.clientId === `m${i}`);
      }
      await b.until((s) => s.of("message").length === N, 30_000);
    }, [alice.user.id]);
    const send = sending.total / N;
    console.log(`footprint 1:1: rows written per message sent, by statement:\n${perItem(sending, N)}`);
    const bytes = ((await databaseSize(userStub(bob.user.id))) - bobSize) / N;

    // Bob's device acknowledges the first half one message per frame, the second
    // half ten per frame, and reads in steps of 10 throughout.
    const ids = b.of("message").map((f) => f.message.id);
    const half = N / 2;
    const receiptRows = async (from: number, perFrame: number) => {
      const detail = await metered.rows(async () => {
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
      }, [bob.user.id]);
      console.log(`footprint 1:1 receipts, ${perFrame} per frame, rows per message:\n${perItem(detail, half)}`);
      return detail.total / half;
    };
    const eachAcked = await receiptRows(0, 1);
    const tenPerFrame = await receiptRows(half, 10);

    console.log(
      `footprint 1:1: ${send.toFixed(2)} rows written per message sent and delivered; ` +
        `for its receipts (read per 10): ${eachAcked.toFixed(2)} when acknowledged one per frame, ` +
        `${tenPerFrame.toFixed(2)} when ten per frame; ` +
        `${Math.round(bytes)} bytes per mailbox row (${TEXT.length}-character text)`,
    );
    metered.end();
    expect(send).toBeGreaterThan(0);
    // Measured 7.1 and 0.3 (user schema step 13: receipts as positions, one (chat, id) index, chat
    // rows written together, no id clock per send; docs/architecture.md "Rows per message"); were
    // 23.1 and 14.1 at eb60dea, 12.1 and 2.4 with schema step 7 and the receipts gathered.
    // The target of issue 16: at most 8 rows, both objects, for a message sent, delivered and read.
    expect(send).toBeLessThan(7.5);
    expect(eachAcked).toBeLessThan(0.6);
    expect(send + eachAcked).toBeLessThanOrEqual(8);
    // Receipts are gathered in time windows (user/receipt-gather.ts), not per frame: the two differ by the
    // windows a run happens to cut (0.11 against 0.15 in one run), so only a clear excess fails.
    expect(tenPerFrame).toBeLessThanOrEqual(eachAcked + 0.1);
    expect(bytes).toBeLessThan(1024);
    await drain([alice.user.id, bob.user.id]);
  });

  it("hosted one-to-one (docs/one-copy-per-chat.md, step 1): rows written at the host per guest message", async () => {
    // Only the host's side: nothing calls appendFromGuest in production yet, and the guest's side is step 2.
    const { host, guest, stub } = await hostAndGuest();
    const metered = new MeteredSockets();
    await metered.start(stub);
    // Draining the host: the chat row waiting in memory is written by the alarm.
    const detail = await metered.rows(async () => {
      for (let i = 0; i < N; i++) {
        const answer = await stub.appendFromGuest(guest.user.id, guestMessage(`h${i}`, i + 1, { text: TEXT }));
        expect(answer.ok).toBe(true);
      }
    }, [host.user.id]);
    const perMessage = detail.total / N;
    console.log(`footprint hosted 1:1, at the host, rows per guest message:\n${perItem(detail, N)}`);
    console.log(`footprint hosted 1:1: ${perMessage.toFixed(2)} rows written at the host per guest message`);
    metered.end();
    // Measured 3.99: the row, its (chat, id) and retry-key index entries and its search document, as a
    // sender's own copy costs today; the chat row is written once for the chat (new), then with the alarm.
    // Today's two copies cost 7.0 for the same message (above).
    expect(perMessage).toBeGreaterThan(0);
    expect(perMessage).toBeLessThanOrEqual(4.05);
  });

  it("hosted one-to-one, the guest's send switched on (user/hosted-send.ts): rows at both objects per guest message", async () => {
    const { host, guest } = await hostAndGuest();
    await hostedSendOn(guest.user.id);
    const metered = new MeteredSockets();
    const [g, h] = await metered.connect(guest.token, host.token);
    await metered.start(userStub(guest.user.id));
    const chat = `u:${host.user.id}`;
    const detail = await metered.rows(async () => {
      for (let i = 0; i < N; i++) {
        // Paced within the per-user frame budget of the workers tests (50/s, bursts of 100).
        if (i > 0 && i % 40 === 0) await new Promise((r) => setTimeout(r, 1000));
        g.send({ type: "send", clientId: `g${i}`, chat, text: TEXT });
        await g.next("sent", (f) => f.clientId === `g${i}`);
      }
      await h.until((s) => s.of("message").length === N, 30_000);
    }, [host.user.id, guest.user.id]);
    const perMessage = detail.total / N;
    console.log(`footprint hosted 1:1, guest's send, both objects, rows per message:\n${perItem(detail, N)}`);
    console.log(`footprint hosted 1:1 guest's send: ${perMessage.toFixed(2)} rows written per message, both objects`);
    metered.end();
    // Measured 5.0: the host's 3.99 (above) and the guest's group_chats row, written before each `sent`
    // (the first way out of the doc's open problem), with its seq reservation once per 1,000.
    // Today's two copies cost 7.01 (the first case).
    expect(perMessage).toBeGreaterThan(4);
    expect(perMessage).toBeLessThanOrEqual(5.1);
  });

  it("hosted one-to-one, the host's messages pushed as entries (user/hosted-push.ts): rows at both objects", async () => {
    const { host, guest } = await hostAndGuest();
    await hostedSendOn(guest.user.id);
    const metered = new MeteredSockets();
    const [g, h] = await metered.connect(guest.token, host.token);
    g.send({ type: "send", clientId: "first", chat: `u:${host.user.id}`, text: TEXT }); // hosting begins
    await g.next("sent", (f) => f.clientId === "first");
    await drain([host.user.id, guest.user.id]);
    await metered.start(userStub(host.user.id));
    const detail = await metered.rows(async () => {
      for (let i = 0; i < N; i++) {
        // Paced within the per-user frame budget of the workers tests (50/s, bursts of 100).
        if (i > 0 && i % 40 === 0) await new Promise((r) => setTimeout(r, 1000));
        h.send({ type: "send", clientId: `h${i}`, chat: `u:${guest.user.id}`, text: TEXT });
        await h.next("sent", (f) => f.clientId === `h${i}`);
      }
      await g.until((s) => s.of("message").length === N + 1, 30_000);
    }, [host.user.id, guest.user.id]);
    const perMessage = detail.total / N;
    console.log(`footprint hosted 1:1, host's message pushed, both objects, rows per message:\n${perItem(detail, N)}`);
    console.log(`footprint hosted 1:1 host's push: ${perMessage.toFixed(2)} rows written per message, both objects`);
    metered.end();
    // Today's two copies cost 7.01 (the first case): the guest's copy, its index entry and search document go.
    expect(perMessage).toBeGreaterThan(3);
    expect(perMessage).toBeLessThanOrEqual(5);
  });

  it("hosted one-to-one (docs/one-copy-per-chat.md): rows written per edit, hosted and not", async () => {
    // Both objects are metered. What the hosted chat adds is its change's position.
    const { host, guest, chat, stub } = await hostAndGuest();
    const other = await register();
    // Pinned, whatever the run's HOSTED_GUEST_SEND: the host's send to `other` makes no hosted chat
    // (plain: today's outbox), and the guest takes the hosted chat's edits as copies (hosted).
    for (const id of [host.user.id, guest.user.id, other.user.id]) await hostedSendOff(id);
    const h = await connect(host.token);
    expect((await stub.appendFromGuest(guest.user.id, guestMessage("g", 1))).ok).toBe(true);
    const users = [host.user.id, guest.user.id, other.user.id];
    const plain = await perEdit(h, stub, `u:${other.user.id}`, "plain", users);
    const hosted = await perEdit(h, stub, chat, "hosted", users);
    h.close();
    // The guest's switch on (a fresh pair: a host sends copies to a guest that answered it takes them
    // until its object is evicted, user/hosted-push.ts): the host's edits reach it as entries of the log.
    const two = await hostAndGuest();
    await hostedSendOn(two.guest.user.id);
    const h2 = await connect(two.host.token);
    expect((await two.stub.appendFromGuest(two.guest.user.id, guestMessage("g", 1))).ok).toBe(true);
    const pushed = await perEdit(h2, two.stub, two.chat, "pushed", [two.host.user.id, two.guest.user.id]);
    h2.close();
    console.log(
      `footprint 1:1 edit: ${plain.toFixed(2)} rows written per edit, ${hosted.toFixed(2)} in a hosted chat, ${pushed.toFixed(2)} pushed as entries`,
    );
    // The hosted edit adds its change's position (a partial index entry) and the chat row written with it.
    expect(hosted).toBeGreaterThan(plain);
    // (A hair over 2.05 is float arithmetic: 11.15 - 9.10 when the plain case writes one row less.)
    expect(hosted - plain).toBeLessThanOrEqual(2.05 + 1e-9);
    // Pushed as an entry, the guest writes no copy of the change.
    expect(pushed).toBeLessThan(hosted);
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

/** Rows written at every object per edit of the host's own message in `chat` (20 sent, then edited). */
async function perEdit(
  h: TestSocket,
  stub: ReturnType<typeof userStub>,
  chat: string,
  name: string,
  users: string[],
): Promise<number> {
  const EDITS = 20;
  const ids: string[] = [];
  for (let i = 0; i < EDITS; i++) {
    h.send({ type: "send", clientId: `${name}${i}`, chat, text: TEXT });
    ids.push((await h.next("sent", (f) => f.clientId === `${name}${i}`)).id);
  }
  await drain(users);
  // Only the meter: `h` is the caller's socket, not pinged here (nor before this helper).
  const metered = new MeteredSockets();
  await metered.start(stub);
  const detail = await metered.rows(async () => {
    for (const [i, id] of ids.entries()) {
      h.send({ type: "edit", clientId: `e-${name}${i}`, id, text: `${TEXT} edited` });
      await h.next("update", (f) => f.clientId === `e-${name}${i}`);
    }
  }, users);
  metered.end();
  console.log(`footprint 1:1 edit, ${name}, rows per edit (both objects):\n${perItem(detail, EDITS)}`);
  return detail.total / EDITS;
}
