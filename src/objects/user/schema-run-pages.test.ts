// User schema steps 15 (a group's ended runs in its row and in pages) and 16
// (a group's receipt batches out of the rid index) on an object written by
// the code before them: its ended runs are rows of `group_runs`, its receipts
// table has `rid` inline UNIQUE. The object is made with today's code, then
// put back into that shape exactly (runs moved to `group_runs`, the new
// column and table dropped, receipts rebuilt as step 1 made them, version 14).
// Opened by today's code it finds every message at its seq, replays every
// receipt, answers message info as before, still drops a repeated one-to-one
// receipt, and goes on paging new runs above the old ones.

import { describe, expect, it } from "vitest";
import { receiptRows as receiptsWritten, rows } from "../../test/actions";
import { senderFirst } from "../../test/copies";
import { clearAlarms, createGroup, settle } from "../../test/groups";
import { connect, type TestSocket, userStub } from "../../test/helpers";
import { backTo18, rewind } from "../../test/hosted";
import type { InboxReceipt } from "../inbox";

async function sent(socket: TestSocket, chat: string, clientId: string): Promise<{ id: string; seq: number }> {
  socket.send({ type: "send", clientId, chat, text: `text ${clientId}` });
  const frame = await socket.next("sent", (f) => f.clientId === clientId);
  return { id: frame.id, seq: frame.seq };
}

/** Today's storage back into the shape of version 14 (what the code before steps 15 and 16 wrote). */
function backTo14(sql: SqlStorage): void {
  backTo18(sql); // steps 17 and 18 run again unharmed; step 19 would not
  type Packed = [number, number, number];
  const chats = sql.exec<{ chat: string; ended: string | null }>("SELECT chat, ended FROM group_chats").toArray();
  const pages = sql.exec<{ chat: string; runs: string }>("SELECT chat, runs FROM group_run_pages").toArray();
  for (const { chat, ended } of [...chats, ...pages.map((p) => ({ chat: p.chat, ended: p.runs }))]) {
    for (const [seq, pos, count] of JSON.parse(ended ?? "[]") as Packed[]) {
      sql.exec("INSERT INTO group_runs (seq, chat, pos, count) VALUES (?, ?, ?, ?)", seq, chat, pos, count);
    }
  }
  sql.exec("DROP TABLE group_run_pages");
  sql.exec("ALTER TABLE group_chats DROP COLUMN ended");
  sql.exec(`CREATE TABLE receipts_v1 (
    seq INTEGER PRIMARY KEY,
    rid TEXT NOT NULL UNIQUE,
    chat TEXT NOT NULL,
    ids TEXT NOT NULL,
    status TEXT NOT NULL,
    by TEXT NOT NULL,
    ts INTEGER NOT NULL
  )`);
  sql.exec("INSERT INTO receipts_v1 SELECT seq, rid, chat, ids, status, by, ts FROM receipts");
  sql.exec("DROP TABLE receipts");
  sql.exec("ALTER TABLE receipts_v1 RENAME TO receipts");
  sql.exec("UPDATE _schema SET version = 14");
}

describe("schema steps 15 and 16 on an object written before them", () => {
  it("keeps every seq, receipt and message info; pages new runs above the old ones", { timeout: 60_000 }, async () => {
    // The admin's id sorts first, so the one-to-one chat keeps copies (receipts `by` bob) whatever the run's
    // HOSTED_GUEST_SEND: the shape before these steps (src/test/copies.ts).
    const { alice: admin, bob } = await senderFirst();
    const group = await createGroup(admin.token, "team", [bob.user.id]);
    const chat = `g:${group.id}` as const;
    const direct = `u:${bob.user.id}` as const;
    await settle(group.id);
    const a = await connect(admin.token);
    const b = await connect(bob.token);
    const answered: { id: string; seq: number }[] = [];
    for (let i = 0; i < 4; i++) {
      answered.push(await sent(a, chat, `p${i}`));
      await sent(a, direct, `d${i}`);
    }
    // Bob's receipts: a group batch (`by` = '*') and a one-to-one receipt in alice's mailbox.
    const last = answered.at(-1)?.id ?? "";
    await b.until((s) => s.of("message").some((f) => f.message.id === last));
    b.send({ type: "read", chat, upTo: last });
    const directIds = b.of("message").filter((f) => f.message.chat === `u:${admin.user.id}`);
    b.send({ type: "received", ids: directIds.map((f) => f.message.id) });
    await a.until((s) => s.of("receipt").some((f) => f.chat === chat && f.status === "read"));
    await a.until((s) => s.of("receipt").some((f) => f.chat === direct));
    await new Promise((r) => setTimeout(r, 300));
    const receiptRows = await receiptsWritten<{ seq: number; rid: string; by: string }>(
      admin.user.id,
      "SELECT seq, rid, by FROM receipts ORDER BY seq",
    );
    expect(receiptRows.some((r) => r.by === "*") && receiptRows.some((r) => r.by === bob.user.id)).toBe(true);
    const info = await userStub(admin.user.id).receiptsOf(chat, answered[0]?.id ?? "");
    a.close();
    b.close();

    await rewind(userStub(admin.user.id), backTo14);
    const stub = userStub(admin.user.id);

    // Opened again: steps 15 and 16 ran; the old runs stay rows of group_runs.
    expect((await stub.stats()).seq).toBeGreaterThan(0);
    expect((await rows<{ n: number }>(admin.user.id, "SELECT count(*) AS n FROM group_runs"))[0]?.n).toBeGreaterThan(0);
    const indexes = await rows<{ name: string; sql: string | null }>(
      admin.user.id,
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'receipts'",
    );
    expect(indexes).toEqual([]); // step 16 took the batches out of the rid index, step 18 dropped it
    expect(await rows(admin.user.id, "SELECT seq, rid, by FROM receipts ORDER BY seq")).toEqual(receiptRows);
    expect(await stub.receiptsOf(chat, answered[0]?.id ?? "")).toEqual(info);

    // A repeated one-to-one receipt (from the reader's outbox: `retry`) is still dropped by its rid.
    const one = receiptRows.find((r) => r.by === bob.user.id);
    const stored = await rows<{ chat: string; ids: string; status: string; ts: number }>(
      admin.user.id,
      "SELECT chat, ids, status, ts FROM receipts WHERE rid = ?",
      one?.rid ?? "",
    );
    const again: InboxReceipt = {
      kind: "receipt",
      rid: one?.rid ?? "",
      chat: direct,
      ids: JSON.parse(stored[0]?.ids ?? "[]") as string[],
      status: "delivered",
      by: bob.user.id,
      ts: stored[0]?.ts ?? 0,
      retry: true,
    };
    await stub.accept([again]);
    expect((await rows(admin.user.id, "SELECT seq FROM receipts")).length).toBe(receiptRows.length);

    // New messages after the step: their runs go to the row, the old ones are still found.
    const a2 = await connect(admin.token);
    for (let i = 4; i < 7; i++) {
      answered.push(await sent(a2, chat, `p${i}`));
      await sent(a2, direct, `d${i}`);
    }
    const [row] = await rows<{ ended: string | null }>(
      admin.user.id,
      "SELECT ended FROM group_chats WHERE chat = ?",
      chat,
    );
    expect((JSON.parse(row?.ended ?? "[]") as unknown[]).length).toBe(3);
    a2.close();
    const device = await connect(admin.token);
    device.send({ type: "sync", after: 0 });
    await device.next("synced");
    const replayed = device.of("message").filter((f) => f.message.chat === chat && !f.message.system);
    expect(replayed.map((f) => ({ id: f.message.id, seq: f.message.seq }))).toEqual(answered);
    expect(device.of("receipt").filter((f) => f.chat === chat).length).toBeGreaterThan(0);
    const history = await stub.history(chat, undefined, 50);
    expect(history.filter((m) => !m.system).map((m) => ({ id: m.id, seq: m.seq }))).toEqual(answered);
    device.close();
    await clearAlarms([group.id], [admin.user.id, bob.user.id]);
  });
});
