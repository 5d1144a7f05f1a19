// User schema step 23 (./schema-v23.ts: a media's grants keyed by the send
// that made them) on an object written by the code before it. Grants are made
// with today's code (two messages of a group and one of a one-to-one chat
// refer to one photo), put back into the shape of version 22 (a count per
// chat) and opened again: the counts are carried over, and each delete for
// everyone (its own row not found: a carried-over one goes) takes one
// reference, the group's last its grant, the last of all the bytes.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Media } from "../../shared/protocol";
import { rows } from "../../test/actions";
import { api, connect, register, userStub } from "../../test/helpers";
import { backTo22, rewind } from "../../test/hosted";
import { grantsOf } from "../../test/hosted-media";
import { PNG } from "../../test/images";
import { fetchMedia, mediaRows, storedMedia, uploaded } from "../../test/media";
import { USER_SCHEMA } from "./schema";

describe("schema step 23 on an object written before it", () => {
  it("carries each chat's count over; deletes take one reference each, the last the bytes", async () => {
    const [alice, bob, carol] = [await register(), await register(), await register()];
    const group = await api("/api/groups", {
      method: "POST",
      token: alice.token,
      body: { name: "g", members: [carol.user.id] },
    });
    const chat = `g:${(await group.json<{ id: string }>()).id}` as const;
    const photo = await uploaded(alice.token, "photo", PNG);
    const media = { ...photo } as Media;
    let a = await connect(alice.token);
    await a.speak();
    const ids: string[] = [];
    for (const [clientId, to] of [
      ["m1", chat],
      ["m2", chat],
      ["m3", `u:${bob.user.id}`],
    ] as const) {
      a.send({ type: "send", clientId, chat: to, media });
      ids.push((await a.next("sent", (f) => f.clientId === clientId)).id);
    }
    a.close();
    const before = await grantsOf(alice.user.id);
    expect(before.map((g) => g.refs)).toEqual([2, 1]);
    await rewind(userStub(alice.user.id), backTo22);

    const version = await runInDurableObject(userStub(alice.user.id), (_instance, state) => {
      return state.storage.sql.exec<{ version: number }>("SELECT version FROM _schema").one().version;
    });
    expect(version).toBe(USER_SCHEMA.length);
    expect(await grantsOf(alice.user.id)).toEqual(before);
    a = await connect(alice.token);
    await a.speak();
    const remove = async (id: string, clientId: string) => {
      a.send({ type: "delete", clientId, id, for: "everyone" });
      await a.next("update", (f) => f.message.id === id);
    };
    // A send after the step has its own row, and its delete takes that row, not a carried-over one.
    a.send({ type: "send", clientId: "m4", chat, media });
    const fresh = (await a.next("sent", (f) => f.clientId === "m4")).id;
    const groupRefs = () => rows(alice.user.id, "SELECT ref FROM media_refs WHERE chat = ? ORDER BY ref", chat);
    expect(await groupRefs()).toEqual([{ ref: ":1" }, { ref: ":2" }, { ref: `${alice.user.id}\nm4` }]);
    await remove(fresh, "d4");
    await expect.poll(groupRefs).toEqual([{ ref: ":1" }, { ref: ":2" }]);
    await remove(ids[0] ?? "", "d1");
    await expect.poll(async () => (await grantsOf(alice.user.id)).map((g) => g.refs)).toEqual([1, 1]);
    expect((await fetchMedia(carol.token, photo.id)).status).toBe(200);
    await remove(ids[1] ?? "", "d2");
    await expect.poll(async () => (await grantsOf(alice.user.id)).map((g) => g.refs)).toEqual([1]);
    expect((await fetchMedia(carol.token, photo.id)).status).toBe(404);
    expect((await fetchMedia(bob.token, photo.id)).status).toBe(200);
    await remove(ids[2] ?? "", "d3");
    await expect.poll(() => storedMedia(alice.user.id)).toEqual([]);
    expect(await mediaRows(alice.user.id)).toEqual({ media: 0, grants: 0 });
    a.close();
  });
});
