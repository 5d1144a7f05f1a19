// Faults on the mailbox archive's path (docs/archive.md, "The mailbox"): R2
// refusing the PUT, the object dying between the PUT and the local delete, a
// row changed meanwhile, a half-written page with nothing left to write, and
// pages that come back corrupt or not at all. Nothing is lost, nothing is
// doubled, and a bad page is an error with a code naming it, never the
// object's end.

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { Message } from "../../shared/protocol";
import { act, closeAll, rows, sendAndWait } from "../../test/actions";
import { clearAlarms } from "../../test/groups";
import { api, connect, userStub } from "../../test/helpers";
import { archiveAll, chatted, configureArchive, historyPages, keysOf, TINY, wrapPut } from "../../test/mailbox-archive";
import type { PutPage } from "./mailbox-archive";

/** The object dies where it stands (ctx.abort): memory gone, storage as committed. */
async function crash(userId: string): Promise<void> {
  await runInDurableObject(userStub(userId) as DurableObjectStub, (_, state) => state.abort("test crash")).catch(
    () => undefined,
  );
}

async function states(userId: string): Promise<string[]> {
  return (await rows<{ state: string }>(userId, "SELECT state FROM archive_pages ORDER BY first")).map((r) => r.state);
}

describe("mailbox archive faults", { timeout: 60_000 }, () => {
  it("R2 refuses the PUT: nothing leaves SQLite, and the next step finishes the same page", async () => {
    const { alice, bob, a, b, toBob, before } = await chatted();
    const count = (await userStub(alice.user.id).stats()).messages;
    let real: PutPage | null = null;
    await wrapPut(alice.user.id, (put) => {
      real = put;
      return () => Promise.reject(new Error("R2 down"));
    });
    expect(await userStub(alice.user.id).archiveStep()).toBe(null);
    expect((await userStub(alice.user.id).stats()).messages).toBe(count);
    expect(await keysOf(alice.user.id)).toEqual([]);
    expect(await states(alice.user.id)).toEqual(["writing"]);
    expect(await historyPages(alice.token, toBob)).toEqual(before);
    await wrapPut(alice.user.id, () => real as unknown as PutPage);
    expect(await archiveAll(alice.user.id)).toBe(2);
    expect(await states(alice.user.id)).toEqual(["done", "done"]);
    expect((await userStub(alice.user.id).stats()).messages).toBe(count - 10);
    expect(await historyPages(alice.token, toBob)).toEqual(before);
    closeAll(a, b);
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });

  it("the object dies after the PUT, before the local delete: its next life finishes the page, once", async () => {
    const { alice, bob, a, b, toBob, before } = await chatted();
    const count = (await userStub(alice.user.id).stats()).messages;
    await wrapPut(alice.user.id, (put) => async (key, bytes, sha) => {
      await put(key, bytes, sha);
      throw new Error("died after the PUT");
    });
    expect(await userStub(alice.user.id).archiveStep()).toBe(null);
    expect(await keysOf(alice.user.id)).toHaveLength(1); // in R2, and still in SQLite
    expect((await userStub(alice.user.id).stats()).messages).toBe(count);
    closeAll(a, b);
    await crash(alice.user.id);
    // The new instance finds the half-written page and asks its alarm for now: it finishes it.
    await userStub(alice.user.id).stats();
    for (let i = 0; i < 50 && (await states(alice.user.id))[0] !== "done"; i++) {
      await runDurableObjectAlarm(userStub(alice.user.id));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await states(alice.user.id)).toEqual(["done"]);
    expect(await keysOf(alice.user.id)).toHaveLength(1); // the same key written twice: one object
    expect((await userStub(alice.user.id).stats()).messages).toBe(count - 5);
    expect(await historyPages(alice.token, toBob)).toEqual(before);
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });

  it("a row changed between the PUT and the delete: the page is written again with the change", async () => {
    const { alice, bob, a, b, toBob, before } = await chatted();
    const target = before[0] as Message;
    let puts = 0;
    await wrapPut(alice.user.id, (put) => async (key, bytes, sha) => {
      await put(key, bytes, sha);
      puts += 1;
      // As if a change had arrived while the PUT was on its way.
      if (puts === 1) await rows(alice.user.id, "UPDATE messages SET text = 'changed' WHERE id = ?", target.id);
    });
    expect(await userStub(alice.user.id).archiveStep()).toBe("written");
    expect(puts).toBe(2);
    expect(await keysOf(alice.user.id)).toHaveLength(1);
    const history = await historyPages(alice.token, toBob);
    expect(history.map((m) => m.text)).toEqual(before.map((m) => (m.id === target.id ? "changed" : m.text)));
    closeAll(a, b);
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });

  it("a half-written page with no rows left is discarded, its object in R2 too", async () => {
    const { alice, bob, a, b } = await chatted();
    const key = `archive/u/${alice.user.id}/stray`;
    await env.ARCHIVE.put(key, "half");
    await rows(
      alice.user.id,
      `INSERT INTO archive_pages (first, last, first_id, last_id, key, state, written_at)
       VALUES (100000, 100005, '', '', '${key}', 'writing', 0)`,
    );
    closeAll(a, b);
    await crash(alice.user.id); // the index is read from storage again
    await configureArchive(alice.user.id, TINY);
    const done = await userStub(alice.user.id).archiveStep();
    expect(done === "discarded" || done === null).toBe(true); // (or the alarm that the wake asked for ran first)
    const stray = async () => (await keysOf(alice.user.id)).filter((k) => k === key);
    for (let i = 0; i < 50 && (await stray()).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await stray()).toEqual([]);
    expect(await rows(alice.user.id, "SELECT * FROM archive_pages WHERE key = ?", key)).toEqual([]);
    // And then the real pages go as usual, from seq 1.
    await archiveAll(alice.user.id);
    expect((await userStub(alice.user.id).stats()).archived).toBe(2);
    expect(await keysOf(alice.user.id)).toHaveLength(2);
    expect((await rows<{ first: number }>(alice.user.id, "SELECT first FROM archive_pages"))[0]?.first).toBe(1);
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });

  it("a corrupt or missing page is archive_unreadable for what needs it, logged, and the user goes on", async () => {
    const { alice, bob, a, b, toBob, before } = await chatted();
    expect(await archiveAll(alice.user.id)).toBe(2);
    const [first, second] = await keysOf(alice.user.id);
    await env.ARCHIVE.put(first as string, new Uint8Array([31, 139, 8, 0, 1, 2, 3])); // a broken gzip
    await env.ARCHIVE.delete(second as string);
    closeAll(a, b);
    await crash(alice.user.id); // pages kept in memory are gone
    const errors = vi.spyOn(console, "error");
    // A page within SQLite still reads.
    const recent = await api(`/api/chats/${toBob}/messages?limit=2`, { token: alice.token });
    expect(recent.status).toBe(200);
    // The whole history reaches the missing page (the newer one) first: an error naming it.
    const all = await api(`/api/chats/${toBob}/messages?limit=100`, { token: alice.token });
    expect(all.status).toBe(500);
    const body = (await all.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: "archive_unreadable" });
    expect(body.error.message).toContain(second);
    expect(body.error.message).toContain("missing from R2");
    // Message info of a message in the corrupt page: the same code, naming that page.
    const info = await api(`/api/chats/${toBob}/messages/${before[0]?.id}/receipts`, { token: alice.token });
    expect(info.status).toBe(500);
    const infoBody = (await info.json()) as { error: { code: string; message: string } };
    expect(infoBody.error).toMatchObject({ code: "archive_unreadable" });
    expect(infoBody.error.message).toContain(first);
    expect(infoBody.error.message).toContain("checksum mismatch");
    // A sync from 0: an error frame with the code; the socket stays open.
    const socket = await connect(alice.token);
    socket.send({ type: "sync", after: 0 });
    const error = await socket.next("error");
    expect(error.code).toBe("archive_unreadable");
    const logged = errors.mock.calls.flat().join("\n");
    errors.mockRestore();
    expect(logged).toContain("archive_page_unreadable");
    // A reply quoting a message of the corrupt page: the same code, and nothing stored.
    const reply = await act(socket, {
      type: "send",
      clientId: "re-1",
      chat: toBob,
      text: "re",
      replyTo: before[0]?.id,
    });
    expect(reply).toMatchObject({ type: "error", code: "archive_unreadable", clientId: "re-1" });
    // The object is alive: it takes sends, reads what is in SQLite, and a sync from past the archive works.
    const sent = await sendAndWait(socket, toBob, "still here", "still-1");
    const hot = await api(`/api/chats/${toBob}/messages?limit=2`, { token: alice.token });
    const last = ((await hot.json()) as { messages: Message[] }).messages.map((m) => m.text);
    expect(last).toEqual([before.at(-1)?.text, "still here"]);
    const stats = await userStub(alice.user.id).stats();
    socket.send({ type: "sync", after: sent.seq - 1 });
    expect((await socket.next("synced")).seq).toBe(stats.seq);
    socket.close();
    await clearAlarms([], [alice.user.id, bob.user.id]);
  });
});
