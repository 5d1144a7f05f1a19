// User schema step 22 (./schema-v22.ts: the host's own version of a row its
// blocked guest changed) on an object written by the code before it. The
// object is made with today's code (a hosted chat, a guest's edit while
// blocked), put back into the shape of version 21 exactly, and opened again:
// the rows are read as before (the edit made before the step shows, as it did
// then: nothing is moved), and a blocked guest's next edit is kept from the host.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { rows } from "../../test/actions";
import { clearAlarms } from "../../test/groups";
import { userStub } from "../../test/helpers";
import { seen } from "../../test/host-views";
import { backTo21, guestMessage, hostAndGuest, rewind } from "../../test/hosted";
import { USER_SCHEMA } from "./schema";

function value<T>(answer: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!answer.ok) throw new Error(`refused: ${answer.error.code}`);
  return answer.value;
}

describe("schema step 22 on an object written before it", () => {
  it("reads every row as before; then a blocked guest's edit is kept from the host", async () => {
    const { host, guest, stub } = await hostAndGuest();
    const g = guest.user.id;
    const chat = `u:${g}` as const;
    const a = value(await stub.appendFromGuest(g, guestMessage("m1", 1)));
    const b = value(await stub.appendFromGuest(g, guestMessage("m2", 2)));
    // What the code before the step did to a blocked guest's edit: the one row changed, the host shown it.
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE messages SET text = 'edited before the step', edited_at = 1 WHERE id = ?", a.id);
    });
    await clearAlarms([], [host.user.id]);
    await rewind(stub, backTo21);

    const woken = userStub(host.user.id);
    const version = await runInDurableObject(woken, (_instance, state) => {
      return state.storage.sql.exec<{ version: number }>("SELECT version FROM _schema").one().version;
    });
    expect(version).toBe(USER_SCHEMA.length);
    expect(await rows(host.user.id, "SELECT id FROM host_views")).toEqual([]);
    const before = await woken.history(chat, undefined, 10);
    expect(before.map(seen)).toEqual([
      ["edited before the step", true, []],
      ["text m2", false, []],
    ]);

    expect((await woken.block(g)).ok).toBe(true);
    value(await woken.hostedChange(g, "e1", { action: "edit", id: b.id, text: "edited while blocked" }));
    expect((await woken.history(chat, undefined, 10)).map(seen)).toEqual(before.map(seen));
    expect(value(await woken.hostedMessage(g, b.id))?.message.text).toBe("edited while blocked");
    expect(await rows(host.user.id, "SELECT id, text FROM host_views")).toEqual([{ id: b.id, text: "text m2" }]);
    await clearAlarms([], [host.user.id]);
  });
});
