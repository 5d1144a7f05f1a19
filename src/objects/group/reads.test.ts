// The group's log is the only copy of a group message, read by members'
// objects through the group's read calls (pull, entries, history, search,
// message, ack). Each answers members and former members within their
// windows, and anyone else `not_member`, for a group that does not exist
// alike, with nothing of the group and nothing changed.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { randomId } from "../../shared/ids";
import { clearAlarms, groupStub, settle, team } from "../../test/groups";
import { api, connect, register } from "../../test/helpers";
import type { GroupObject } from "../group-object";

describe("reading a group's log", { timeout: 60_000 }, () => {
  it("refuses outsiders everywhere with not_member, whether the group exists or not, and changes nothing", async () => {
    const { admin, group, chat } = await team(2);
    const a = await connect(admin.token);
    a.send({ type: "send", clientId: "s1", chat, text: "secret walrus" });
    const sent = await a.next("sent");
    await settle(group.id);
    const eve = (await register()).user.id;
    const before = await runInDurableObject(
      groupStub(group.id),
      (_: GroupObject, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM cursors").one().n,
    );
    for (const stub of [groupStub(group.id), groupStub(randomId())]) {
      const answers = [
        await stub.pull(eve, "", 100),
        await stub.entries(eve, 1, 100),
        await stub.history(eve, undefined, 100),
        await stub.search(eve, '"walrus"*', undefined, 100),
        await stub.message(eve, sent.id),
        await stub.ack(eve, sent.id, sent.id, sent.id),
      ];
      for (const answer of answers)
        expect(answer).toEqual({ ok: false, error: { code: "not_member", message: expect.any(String) } });
    }
    const after = await runInDurableObject(
      groupStub(group.id),
      (_: GroupObject, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM cursors").one().n,
    );
    expect(after).toBe(before);
    a.close();
    await clearAlarms([group.id]);
  });

  it("a former member reads what it had and nothing after; a later member nothing before it joined", async () => {
    const { admin, rest, group, chat } = await team(2);
    const bob = rest[0] as (typeof rest)[0];
    const a = await connect(admin.token);
    a.send({ type: "send", clientId: "s1", chat, text: "before walrus" });
    const early = await a.next("sent", (f) => f.clientId === "s1");
    await api(`/api/groups/${group.id}/members/${bob.user.id}`, { method: "DELETE", token: bob.token });
    const carol = await register();
    await api(`/api/groups/${group.id}/members`, {
      method: "POST",
      token: admin.token,
      body: { userId: carol.user.id },
    });
    a.send({ type: "send", clientId: "s2", chat, text: "after walrus" });
    const late = await a.next("sent", (f) => f.clientId === "s2");
    await settle(group.id);
    const stub = groupStub(group.id);
    const texts = (answer: Awaited<ReturnType<typeof stub.history>>) =>
      answer.ok ? answer.value.filter((e) => !e.message.system).map((e) => e.message.text) : answer.error.code;
    expect(texts(await stub.history(bob.user.id, undefined, 100))).toEqual(["before walrus"]);
    expect(texts(await stub.history(carol.user.id, undefined, 100))).toEqual(["after walrus"]);
    expect(texts(await stub.search(bob.user.id, '"walrus"*', undefined, 100))).toEqual(["before walrus"]);
    expect(texts(await stub.search(carol.user.id, '"walrus"*', undefined, 100))).toEqual(["after walrus"]);
    expect(await stub.message(bob.user.id, late.id)).toEqual({ ok: true, value: null });
    expect(await stub.message(carol.user.id, early.id)).toEqual({ ok: true, value: null });
    const pulled = await stub.pull(carol.user.id, "", 100);
    expect(pulled.ok && pulled.value.entries.map((e) => e.id)).not.toContain(early.id);
    a.close();
    await clearAlarms([group.id]);
  });

  it("pulls from one position alike for every member (each its own sender's view), and by windows for one who came back", async () => {
    const { admin, rest, group, chat } = await team(3);
    const [bob, carol] = rest as [(typeof rest)[0], (typeof rest)[0]];
    const a = await connect(admin.token);
    const b = await connect(bob.token);
    a.send({ type: "send", clientId: "a1", chat, text: "one" });
    const one = await a.next("sent", (f) => f.clientId === "a1");
    b.send({ type: "send", clientId: "b1", chat, text: "two" });
    await b.next("sent", (f) => f.clientId === "b1");
    await api(`/api/groups/${group.id}/members/${carol.user.id}`, { method: "DELETE", token: admin.token });
    a.send({ type: "send", clientId: "a2", chat, text: "while carol was out" });
    await a.next("sent", (f) => f.clientId === "a2");
    await api(`/api/groups/${group.id}/members`, {
      method: "POST",
      token: admin.token,
      body: { userId: carol.user.id },
    });
    a.send({ type: "send", clientId: "a3", chat, text: "three" });
    await a.next("sent", (f) => f.clientId === "a3");
    await settle(group.id);
    const stub = groupStub(group.id);
    const seen = async (member: string, after: string) => {
      const page = await stub.pull(member, after, 100);
      if (!page.ok) throw new Error(page.error.code);
      return page.value.entries
        .filter((e) => !e.message.system)
        .map((e) => `${e.message.text}${e.message.clientId ? ` (${e.message.clientId})` : ""}`);
    };
    // Twice each, in turns: the second reads the tail the first one made.
    for (let round = 0; round < 2; round++) {
      expect(await seen(bob.user.id, one.id)).toEqual(["two (b1)", "while carol was out", "three"]);
      expect(await seen(admin.user.id, one.id)).toEqual(["two", "while carol was out (a2)", "three (a3)"]);
    }
    // Carol's windows: up to her removal, and from her return; never what was sent between.
    expect(await seen(carol.user.id, one.id)).toEqual(["two", "three"]);
    a.close();
    b.close();
    await clearAlarms([group.id]);
  });
});
