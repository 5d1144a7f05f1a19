// The fan-out's cursors over a real group object's storage: a confirmed
// delivery moves the cursor in memory and reaches storage with the next post
// (or the flush timer), so a restart in between delivers the same entries
// again, which members' mailboxes drop by id (see alarm-twice.test.ts). A
// failure writes the confirmation it still held together with its backoff.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { clearAlarms, groupStub, settle, team } from "../../test/groups";
import { eventually } from "../../test/presence-helpers";
import type { GroupObject } from "../group-object";
import type { InboxItem } from "../inbox";
import { Meta } from "../storage/meta";
import { FanOut } from "./fanout";
import { GroupLog } from "./log";
import { Members } from "./members";

type Cursor = { user_id: string; acked: string; attempts: number; next_at: number };

const ids = (items: InboxItem[]) => items.map((i) => (i.kind === "message" ? i.id : "?"));

describe("the fan-out's cursors", () => {
  it("are written with the next post, and a restart before that delivers the same entries again", async () => {
    const { admin, rest, group } = await team(3);
    await settle(group.id);
    const stub = groupStub(group.id);
    await runInDurableObject(stub, async (instance: GroupObject, state) => {
      const sql = state.storage.sql;
      const fanout = instance.fanout as FanOut;
      const got: string[] = [];
      fanout.deliver = async (user, items) => {
        got.push(...ids(items).map((id) => `${user} ${id}`));
        return { online: true };
      };
      const cursors = () => sql.exec<Cursor>("SELECT * FROM cursors ORDER BY user_id").toArray();
      const posted = await instance.post(admin.user.id, "c1", "one");
      if (!posted.ok) throw new Error(posted.error.message);
      const first = posted.value.id;
      await eventually(async () => got.length === 3 && !fanout.busy, "three deliveries, confirmed");
      // Delivered and confirmed, not yet written: no commit was spent per member.
      expect(cursors().every((c) => c.acked < first)).toBe(true);

      // As after a crash now: a fresh fan-out over the same storage owes everyone the entry again.
      const again: string[] = [];
      const restarted = new FanOut(
        sql,
        new GroupLog(sql, new Meta(sql), group.id),
        new Members(sql),
        async (user, items) => {
          again.push(...ids(items).map((id) => `${user} ${id}`));
          return { online: true };
        },
        () => {},
      );
      restarted.resume();
      await eventually(async () => again.length === 3 && !restarted.busy, "the deliveries again");
      expect(again.sort()).toEqual([...got].sort());

      // The next post writes the confirmations it finds in memory, in its own commit.
      const second = await instance.post(rest[0]?.user.id ?? "", "c2", "two");
      if (!second.ok) throw new Error(second.error.message);
      expect(cursors().every((c) => c.acked === first)).toBe(true);
      await eventually(async () => got.length === 6 && !fanout.busy, "the second post's deliveries, confirmed");
      expect(await instance.stats()).toMatchObject({ behind: 0 }); // counts the confirmations in memory too
    });
    await clearAlarms([group.id]);
  });

  it("writes a confirmation held in memory together with a failure's backoff, which a later flush keeps", async () => {
    const { admin, rest, group } = await team(2);
    await settle(group.id);
    const member = rest[0]?.user.id ?? "";
    await runInDurableObject(groupStub(group.id), async (instance: GroupObject, state) => {
      const sql = state.storage.sql;
      const fanout = instance.fanout as FanOut;
      let open = () => {};
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      let calls = 0;
      fanout.deliver = async (user) => {
        if (user !== member) return { online: true };
        calls += 1;
        if (calls === 1) await gate; // the first entry is in flight while the second is posted
        if (calls === 2) throw new Error("injected: member down");
        return { online: true };
      };
      const one = await instance.post(admin.user.id, "f1", "one");
      const two = await instance.post(admin.user.id, "f2", "two");
      if (!one.ok || !two.ok) throw new Error("post failed");
      open(); // the first is confirmed (held in memory), then the second fails
      await eventually(async () => calls === 2, "the failed delivery");
      const row = () => sql.exec<Cursor>("SELECT * FROM cursors WHERE user_id = ?", member).one();
      expect(row().attempts).toBe(1);
      expect(row().acked).toBe(one.value.id);
      fanout.flushAcks();
      expect(row()).toMatchObject({ acked: one.value.id, attempts: 1 });
      expect(row().next_at).toBeGreaterThan(Date.now());
    });
    await clearAlarms([group.id]);
  });
});
