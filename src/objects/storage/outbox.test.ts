// The outbox on its own, over a real object's SQLite: a confirmed delivery is
// forgotten at once but deleted later, in one write; until then, a restart
// (a fresh Outbox over the same rows) delivers it again, which the target's
// dedupe absorbs. Nothing is ever skipped.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { userStub } from "../../test/helpers";
import type { InboxItem } from "../inbox";
import { OUTBOX_SAFETY_MS, Outbox } from "./outbox";

const item = (id: string): InboxItem => ({
  kind: "message",
  id,
  chat: "u:aaaaaaaaaaaaaaaa",
  from: "x",
  text: id,
  ts: 1,
});

function recorder() {
  const calls: string[][] = [];
  const deliver = async (_target: string, items: InboxItem[]) => {
    calls.push(
      items.map((i) => (i.kind === "receipt" || i.kind === "receipts" ? i.rid : i.kind === "change" ? i.cid : i.id)),
    );
  };
  return { calls, deliver };
}

describe("the outbox's deferred deletes", () => {
  it("forgets confirmed items at once, deletes them later, and redelivers them after a restart in between", async () => {
    const stub = userStub(`outbox-${crypto.randomUUID()}`);
    await runInDurableObject(stub, async (_instance, state) => {
      const sql = state.storage.sql;
      const rows = () => sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n;
      const first = recorder();
      const outbox = new Outbox(sql, first.deliver, () => {});
      outbox.enqueue("t1", [item("m1"), item("m2")]);
      await outbox.kick("t1");
      expect(first.calls).toEqual([["m1", "m2"]]);
      expect(outbox.depth()).toBe(0);
      // Confirmed but not deleted yet: no commit of its own was spent on it.
      expect(rows()).toBe(2);

      // A new item goes alone: the confirmed ones are not sent again.
      outbox.enqueue("t1", [item("m3")]);
      await outbox.kick("t1");
      expect(first.calls).toEqual([["m1", "m2"], ["m3"]]);

      // As after a crash before the delete: a fresh outbox sees the rows and delivers them again.
      const restarted = recorder();
      await new Outbox(sql, restarted.deliver, () => {}).kick("t1");
      expect(restarted.calls).toEqual([["m1", "m2", "m3"]]);

      // The delete, when it comes, removes every confirmed row in one go.
      outbox.flushConfirmed();
      expect(rows()).toBe(0);
      const after = recorder();
      await new Outbox(sql, after.deliver, () => {}).kick("t1");
      expect(after.calls).toEqual([]);
    });
  });

  it("books the alarm no sooner than the safety interval while a delivery is in flight, without waiting for it", async () => {
    const stub = userStub(`outbox-${crypto.randomUUID()}`);
    await runInDurableObject(stub, async (_instance, state) => {
      const sql = state.storage.sql;
      let release = () => {};
      const blocked = new Promise<void>((resolve) => {
        release = resolve;
      });
      const booked: number[] = [];
      const outbox = new Outbox(
        sql,
        () => blocked,
        (time) => booked.push(time),
      );
      const now = Date.now();
      outbox.enqueue("t3", [item("x")], now);
      const inFlight = outbox.kick("t3");
      booked.length = 0;
      // Booking happens before retryDue waits for anything (it waits for the delivery to end).
      const retry = outbox.retryDue(now + 10);
      expect(booked.length).toBeGreaterThan(0);
      expect(Math.min(...booked)).toBeGreaterThanOrEqual(now + 10 + OUTBOX_SAFETY_MS);
      release();
      await Promise.all([inFlight, retry]);
      expect(outbox.depth()).toBe(0);
      outbox.flushConfirmed();
    });
  });

  it("keeps an unconfirmed item and its successors when a delivery fails, and sends them in order later", async () => {
    const stub = userStub(`outbox-${crypto.randomUUID()}`);
    await runInDurableObject(stub, async (_instance, state) => {
      const sql = state.storage.sql;
      const seen: string[][] = [];
      let fail = true;
      const outbox = new Outbox(
        sql,
        async (_t, items) => {
          if (fail) throw new Error("injected: target down");
          seen.push(items.map((i) => (i.kind === "message" ? i.id : "")));
        },
        () => {},
      );
      outbox.enqueue("t2", [item("a")]);
      await outbox.kick("t2");
      expect(outbox.depth()).toBe(1);
      outbox.enqueue("t2", [item("b")]);
      fail = false;
      // Backing off: the retry is the alarm's (retryDue) once due.
      sql.exec("UPDATE outbox SET next_at = 0");
      await outbox.retryDue();
      expect(seen).toEqual([["a", "b"]]);
      expect(outbox.depth()).toBe(0);
      outbox.flushConfirmed();
    });
  });

  it("releases its safety net only when a flush leaves nothing unconfirmed", async () => {
    const stub = userStub(`outbox-${crypto.randomUUID()}`);
    await runInDurableObject(stub, async (_instance, state) => {
      const sql = state.storage.sql;
      let settled = 0;
      let down = false;
      const outbox = new Outbox(
        sql,
        async (target) => {
          if (down && target === "t5") throw new Error("injected: target down");
        },
        () => {},
        () => settled++,
      );
      outbox.enqueue("t4", [item("p")]);
      outbox.enqueue("t5", [item("q")]);
      await outbox.kick("t4");
      outbox.flushConfirmed();
      expect(settled).toBe(0); // q is still owed to t5

      down = true;
      await outbox.kick("t5");
      outbox.flushConfirmed();
      expect(settled).toBe(0); // q failed and is backing off

      down = false;
      sql.exec("UPDATE outbox SET next_at = 0");
      await outbox.retryDue();
      expect(settled).toBe(0); // confirmed, not deleted yet
      outbox.flushConfirmed();
      expect(settled).toBe(1);
      expect(sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n).toBe(0);
      outbox.flushConfirmed(); // nothing new confirmed: nothing to release again
      expect(settled).toBe(1);
    });
  });

  it("serves a target from memory once its stored rows are drained, and from storage after a failure or a long queue", async () => {
    const stub = userStub(`outbox-${crypto.randomUUID()}`);
    await runInDurableObject(stub, async (_instance, state) => {
      const sql = state.storage.sql;
      const seen: string[] = [];
      let down = false;
      let gate: Promise<void> | null = null;
      const outbox = new Outbox(
        sql,
        async (_target, items) => {
          if (gate) await gate;
          if (down) throw new Error("injected: target down");
          for (const i of items) seen.push(i.kind === "message" ? i.id : "?");
        },
        () => {},
      );
      outbox.enqueue("t6", [item("a")]);
      await outbox.kick("t6"); // read from storage, to its end
      outbox.enqueue("t6", [item("b")]);
      await outbox.kick("t6"); // from memory
      down = true;
      outbox.enqueue("t6", [item("c")]);
      await outbox.kick("t6"); // fails: c backs off, in storage
      down = false;
      outbox.enqueue("t6", [item("d")]);
      await outbox.kick("t6"); // d waits behind c's backoff, as it would after a restart
      expect(seen).toEqual(["a", "b"]);
      sql.exec("UPDATE outbox SET next_at = 0");
      await outbox.retryDue();
      expect(seen).toEqual(["a", "b", "c", "d"]);

      // A slow target and more queued than memory keeps: storage serves the rest, in order, once.
      let open = () => {};
      gate = new Promise((resolve) => {
        open = resolve;
      });
      outbox.enqueue("t6", [item("e")]);
      const running = outbox.kick("t6");
      const many = Array.from({ length: 1_200 }, (_, k) => `f${k}`);
      outbox.enqueue("t6", many.map(item));
      gate = null;
      open();
      await running;
      await outbox.kick("t6");
      expect(seen).toEqual(["a", "b", "c", "d", "e", ...many]);
      expect(outbox.depth()).toBe(0);
      outbox.flushConfirmed();
    });
  });
});
