// The host's own version of a row its blocked guest changed (./host-views.ts)
// when a write fails or an answer is lost: the saved row, the change applied
// to the one row, its log entry and its mark commit together or not at all,
// and a retry saves nothing twice (the host keeps the text it saw before the
// first blocked edit, never the guest's).

import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { rows } from "../../test/actions";
import { clearAlarms } from "../../test/groups";
import { userStub } from "../../test/helpers";
import { change, hostSees, pair, seen, sendText } from "../../test/host-views";
import { changeRows, guestMessage, hostAndGuest, hostedRows, partsOf } from "../../test/hosted";
import { hostFails } from "../../test/hosted-faults";
import { hostedChange } from "./hosted-changes";
import { changeHost } from "./sides";

afterEach(() => {
  vi.restoreAllMocks();
});

function value<T>(answer: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!answer.ok) throw new Error(`refused: ${answer.error.code}`);
  return answer.value;
}

describe("a blocked guest's change and the host's saved version: faults", { timeout: 60_000 }, () => {
  it("a failure after the saved version, before the change's mark, stores none of them; the retry saves it once", async () => {
    const { host, guest, stub } = await hostAndGuest();
    const g = guest.user.id;
    const sent = value(await stub.appendFromGuest(g, guestMessage("m1", 1)));
    expect((await stub.block(g)).ok).toBe(true);
    for (const [key, request] of [
      ["e1", { action: "edit", id: sent.id, text: "edited" }],
      ["r1", { action: "react", id: sent.id, emoji: "🎉" }],
    ] as const) {
      const failed = await runInDurableObject(stub, async (instance) => {
        const parts = partsOf(instance);
        const keep = vi.spyOn(parts.mailbox.hostViews, key === "e1" ? "keepText" : "keepReaction");
        vi.spyOn(parts.mailbox.changes, "remember").mockImplementationOnce(() => {
          throw new Error("disk on fire");
        });
        const answer = await hostedChange(changeHost(parts), g, key, request).catch(
          (err: { code: string }) => err.code,
        );
        // The saved version was written in the same transaction, before the failure.
        expect(keep).toHaveBeenCalledTimes(1);
        return answer;
      });
      expect(failed).toBe("internal");
      // Nothing saved by the failed change: after the edit's failure no row, after the reaction's no reaction.
      expect(await rows(host.user.id, "SELECT text, reaction FROM host_views")).toEqual(
        key === "e1" ? [] : [{ text: "text m1", reaction: null }],
      );
      expect(await changeRows(host.user.id)).toEqual(key === "e1" ? [] : [expect.objectContaining({ kind: "update" })]);
      expect(await rows(host.user.id, "SELECT emoji FROM reactions")).toEqual([]);
      const first = value(await stub.hostedChange(g, key, request));
      expect(value(await stub.hostedChange(g, key, request))).toEqual(first);
    }
    expect((await hostedRows(host.user.id)).map((r) => r.text)).toEqual(["edited"]);
    expect(await rows(host.user.id, "SELECT text, edited_at, reaction FROM host_views")).toEqual([
      { text: "text m1", edited_at: null, reaction: "" },
    ]);
    expect(seen((await stub.history(`u:${g}`, undefined, 10))[0])).toEqual(["text m1", false, []]);
    await clearAlarms([], [host.user.id]);
  });

  it("the host stored the blocked edit, its answer lost: the guest's retry answers it, saved once", async () => {
    const { host, guest, chat, atHost, g1, g2, h, end } = await pair();
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const sent = await sendText(g1, chat, "c1", "before the block");
    await h.next("message", (f) => f.message.id === sent.id);
    expect((await userStub(host.user.id).block(guest.user.id)).ok).toBe(true);
    const restore = await hostFails(guest.user.id, host.user.id, "hostedChange", true);
    g1.send({ type: "edit", clientId: "e1", id: sent.id, text: "edited while blocked" });
    expect((await g1.next("error", (f) => f.clientId === "e1")).code).toBe("unavailable");
    expect(await rows(host.user.id, "SELECT text FROM host_views")).toEqual([{ text: "before the block" }]);
    await restore();
    const answer = await change(g1, { type: "edit", clientId: "e1", id: sent.id, text: "edited while blocked" });
    expect(answer.message.text).toBe("edited while blocked");
    await g2.next("update", (f) => f.clientId === "e1");
    expect((await changeRows(host.user.id)).map((r) => r.guest_client_id)).toEqual(["e1"]);
    expect(await rows(host.user.id, "SELECT text FROM host_views")).toEqual([{ text: "before the block" }]);
    const shown = await hostSees(host.token, host.user.id, atHost, sent.id);
    expect(shown.history).toEqual(["before the block", false, []]);
    expect(h.of("update")).toEqual([]);
    await end();
  });
});
