// Faults on the archive's path (docs/archive.md, "Crashes"): R2 refusing the
// PUT, the object dying after the PUT and before the local delete, a
// half-written page that cannot be finished, and pages that come back
// corrupt or not at all. Nothing is lost, nothing is doubled, and a bad page
// is an error with a code naming it, never the object's end.

import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { Message } from "../../shared/protocol";
import { archiveAll, configureArchive, keysOf, post, rowsOf, TINY, wrapPut } from "../../test/archive";
import { crash } from "../../test/group-faults";
import { clearAlarms, groupStub, settle, team } from "../../test/groups";
import { api } from "../../test/helpers";
import type { PutPage } from "./archive";

async function texts(token: string, chat: string): Promise<string[]> {
  const res = await api(`/api/chats/${chat}/messages?limit=100`, { token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: Message[] }).messages.filter((m) => !m.system).map((m) => m.text);
}

/** A group with `n` messages posted and delivered, its archive made tiny. */
async function filled(n: number) {
  const t = await team(2);
  const written = Array.from({ length: n }, (_, i) => `m${i}`);
  const ids = await post(t.group.id, t.admin.user.id, written);
  await settle(t.group.id);
  await configureArchive(t.group.id, TINY);
  return { ...t, written, ids, bob: t.rest[0] as (typeof t.rest)[0] };
}

describe("archive faults", { timeout: 60_000 }, () => {
  it("R2 refuses the PUT: nothing leaves SQLite, and the next step finishes the same page", async () => {
    const { group, chat, bob, written, admin } = await filled(8);
    const before = (await groupStub(group.id).stats()).log;
    let real: PutPage | null = null;
    await wrapPut(group.id, (put) => {
      real = put;
      return () => Promise.reject(new Error("R2 down"));
    });
    expect(await groupStub(group.id).archiveStep()).toBe(null);
    expect((await groupStub(group.id).stats()).log).toBe(before);
    expect(await keysOf(group.id)).toEqual([]);
    const pending = await rowsOf<{ state: string }>(group.id, "SELECT state FROM archive_pages");
    expect(pending.map((p) => p.state)).toEqual(["writing"]);
    expect(await texts(bob.token, chat)).toEqual(written);
    await wrapPut(group.id, () => real as unknown as PutPage);
    expect(await groupStub(group.id).archiveStep()).toBe("written");
    expect(await keysOf(group.id)).toHaveLength(1);
    expect((await groupStub(group.id).stats()).log).toBe(before - 5);
    expect(await texts(bob.token, chat)).toEqual(written);
    await clearAlarms([group.id], [admin.user.id, bob.user.id]);
  });

  it("the object dies after the PUT, before the local delete: its next life finishes the page, once", async () => {
    const { group, chat, bob, written, admin } = await filled(8);
    const before = (await groupStub(group.id).stats()).log;
    await wrapPut(group.id, (put) => async (key, bytes, sha) => {
      await put(key, bytes, sha);
      throw new Error("died after the PUT");
    });
    expect(await groupStub(group.id).archiveStep()).toBe(null);
    expect(await keysOf(group.id)).toHaveLength(1); // in R2, and still in SQLite
    expect((await groupStub(group.id).stats()).log).toBe(before);
    await crash(groupStub(group.id));
    // The new instance finds the half-written page and asks its alarm for now: it finishes it.
    await groupStub(group.id).stats();
    let pages: { state: string; key: string }[] = [];
    for (let i = 0; i < 50; i++) {
      await runDurableObjectAlarm(groupStub(group.id));
      pages = await rowsOf<{ state: string; key: string }>(group.id, "SELECT state, key FROM archive_pages");
      if (pages[0]?.state === "done") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(pages.map((p) => p.state)).toEqual(["done"]);
    expect(await keysOf(group.id)).toEqual(pages.map((p) => p.key)); // the same key written twice: one object
    expect((await groupStub(group.id).stats()).log).toBe(before - 5);
    const history = await texts(bob.token, chat);
    expect(history).toEqual(written);
    await clearAlarms([group.id], [admin.user.id, bob.user.id]);
  });

  it("a half-written page whose rows are not all there is discarded, its object in R2 too", async () => {
    const { group, admin, bob } = await filled(8);
    const key = `archive/g/${group.id}/stray`;
    await env.ARCHIVE.put(key, "half");
    await rowsOf(
      group.id,
      `INSERT INTO archive_pages (first, last, first_id, last_id, key, state, written_at)
       VALUES (1, 5, 'not-an-id', 'not-an-id', '${key}', 'writing', 0)`,
    );
    await crash(groupStub(group.id)); // the index's memory is read from storage again
    // The new instance asks its alarm for now; whichever runs first, the alarm or this step, discards it.
    const done = await groupStub(group.id).archiveStep();
    expect(done === "discarded" || done === null).toBe(true);
    for (let i = 0; i < 50 && (await keysOf(group.id)).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await keysOf(group.id)).toEqual([]);
    expect(await rowsOf(group.id, "SELECT * FROM archive_pages")).toEqual([]);
    // And then the real first page goes as usual.
    // The crash lost the fan-out's cursors in memory: it pushes again from the stored ones first.
    await runDurableObjectAlarm(groupStub(group.id));
    await settle(group.id);
    await configureArchive(group.id, TINY);
    await archiveAll(group.id); // (or the alarm that the discard asked for, if it came first)
    expect((await groupStub(group.id).stats()).archived).toBe(1);
    expect(await keysOf(group.id)).toHaveLength(1);
    await clearAlarms([group.id], [admin.user.id, bob.user.id]);
  });

  it("a corrupt or missing page is archive_unreadable for what needs it, logged, and the group goes on", async () => {
    const { group, chat, bob, admin, written, ids } = await filled(13);
    expect(await archiveAll(group.id)).toBe(2);
    const [first, second] = await keysOf(group.id);
    await env.ARCHIVE.put(first as string, new Uint8Array([31, 139, 8, 0, 1, 2, 3])); // a broken gzip
    await env.ARCHIVE.delete(second as string);
    const errors = vi.spyOn(console, "error");
    // A history page inside the hot window still reads.
    const recent = await api(`/api/chats/${chat}/messages?limit=2`, { token: bob.token });
    expect(recent.status).toBe(200);
    // The whole history reaches the missing page (the newer one) first: an error naming it.
    const all = await api(`/api/chats/${chat}/messages?limit=100`, { token: bob.token });
    expect(all.status).toBe(500);
    const body = (await all.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: "archive_unreadable" });
    expect(body.error.message).toContain(second);
    expect(body.error.message).toContain("missing from R2");
    // Message info of a message in the corrupt page: the same code, naming that page.
    const info = await api(`/api/chats/${chat}/messages/${ids[1]}/receipts`, { token: admin.token });
    expect(info.status).toBe(500);
    const infoBody = (await info.json()) as { error: { code: string; message: string } };
    expect(infoBody.error).toMatchObject({ code: "archive_unreadable" });
    expect(infoBody.error.message).toContain(first);
    expect(infoBody.error.message).toContain("checksum mismatch");
    const logged = errors.mock.calls.flat().join("\n");
    errors.mockRestore();
    expect(logged).toContain("archive_page_unreadable");
    // The object is alive: it takes posts and reads its hot window.
    await post(group.id, admin.user.id, ["still here"]);
    await settle(group.id);
    const hot = await api(`/api/chats/${chat}/messages?limit=2`, { token: bob.token });
    const last = ((await hot.json()) as { messages: Message[] }).messages.map((m) => m.text);
    expect(last).toEqual([written.at(-1), "still here"]);
    await clearAlarms([group.id], [admin.user.id, bob.user.id]);
  });
});
