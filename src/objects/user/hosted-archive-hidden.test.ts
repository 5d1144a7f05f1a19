// Hidden rows of a hosted chat in the host's archive (./mailbox-archive.ts,
// ./hidden.ts; docs/one-copy-per-chat.md, "A hosted chat's archived pages"):
// a row the host deleted for itself goes to R2 marked `hidden`; the host's
// reads through pages leave it out, the guest's find it. And the archive's
// three steps with the new keys: a hide between the PUT and the local delete
// rewrites the page with its mark, a death after the PUT loses and doubles
// nothing.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Message, ServerFrame } from "../../shared/protocol";
import { act, closeAll, replay, rows } from "../../test/actions";
import { clearAlarms } from "../../test/groups";
import { api, connect, userStub } from "../../test/helpers";
import { guestMessage, partsOf } from "../../test/hosted";
import { guestView, hostedChat, pageRows, value } from "../../test/hosted-archive";
import { archiveAll, configureArchive, historyPages, keysOf, TINY, wrapPut } from "../../test/mailbox-archive";

const hotIds = async (userId: string) =>
  (await rows<{ id: string }>(userId, "SELECT id FROM messages ORDER BY id")).map((r) => r.id);

async function search(token: string, q: string): Promise<string[]> {
  const res = await api(`/api/search?q=${encodeURIComponent(q)}&limit=50`, { token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: Message[] }).messages.map((m) => m.id);
}

const synced = (frames: Awaited<ReturnType<typeof replay>>) =>
  frames.flatMap((f) => {
    const frame = f as ServerFrame;
    const all = frame.type === "replay" ? (frame.frames as ServerFrame[]) : [frame];
    return all.flatMap((x) => (x.type === "message" ? [x.message.id] : []));
  });

describe("hidden rows of a hosted chat in the archive", { timeout: 120_000 }, () => {
  it("a hidden row goes to R2 with its mark: the host's reads leave it out, the guest's find it", async () => {
    const { host, g, chat, stub, ids } = await hostedChat(12);
    const hidden = ids[1] ?? "";
    const h = await connect(host.token);
    expect(await act(h, { type: "delete", clientId: "d1", id: hidden, for: "me" })).toMatchObject({ type: "removed" });
    const before = await guestView(stub, g, 13);
    const hostHistory = await historyPages(host.token, chat);
    expect(hostHistory.map((m) => m.id)).toEqual(ids.filter((id) => id !== hidden));
    expect(await search(host.token, "turnip")).not.toContain(hidden);

    await configureArchive(host.user.id, TINY);
    expect(await archiveAll(host.user.id)).toBe(2);
    expect(await hotIds(host.user.id)).toEqual(ids.slice(10));
    const [first = ""] = await keysOf(host.user.id);
    const marks = (await pageRows(first)).map((r) => [r.id, r.hidden ?? null]);
    expect(marks).toEqual(ids.slice(0, 5).map((id) => [id, id === hidden ? 1 : null]));

    // The host: history, sync, search, message info, and changes, through the page.
    expect(await historyPages(host.token, chat)).toEqual(hostHistory);
    const replayed = synced(await replay(host.token));
    expect(replayed).toContain(ids[0]);
    expect(replayed).not.toContain(hidden);
    const hits = await search(host.token, "turnip");
    expect(hits).toContain(ids[0]);
    expect(hits).not.toContain(hidden);
    const info = await api(`/api/chats/${chat}/messages/${hidden}/receipts`, { token: host.token });
    expect(info.status).toBe(404);
    const edit = await act(h, { type: "edit", clientId: "e1", id: hidden, text: "x" });
    expect(edit).toMatchObject({ type: "error", code: "unknown_message" });
    const shown = await act(h, { type: "edit", clientId: "e2", id: ids[2] ?? "", text: "x" });
    expect(shown).toMatchObject({ type: "error", code: "message_archived" });
    expect(await historyPages(host.token, chat)).toEqual(hostHistory);

    // The guest: every entry as before, a change of the hidden row refused as archived, a reply quoting it.
    expect(await guestView(stub, g, 13)).toEqual(before);
    const change = await stub.hostedChange(g, "e3", { action: "edit", id: hidden, text: "x" });
    expect(change).toMatchObject({ ok: false, error: { code: "message_archived" } });
    const reply = value(await stub.appendFromGuest(g, guestMessage("c99", 999, { text: "re", replyTo: hidden })));
    const quoted = value(await stub.hostedMessage(g, reply.id));
    expect(quoted?.message.replyTo).toMatchObject({ id: hidden, excerpt: "m2 turnip" });
    closeAll(h);
    await clearAlarms([], [host.user.id]);
  });
});

describe("the archive's steps with hosted rows, crashes", { timeout: 120_000 }, () => {
  it("a hide between the PUT and the local delete: the page is written again, with the mark", async () => {
    const { host, g, chat, stub, ids } = await hostedChat(12);
    const hidden = ids[1] ?? "";
    const before = await guestView(stub, g, 13);
    await configureArchive(host.user.id, TINY);
    await runInDurableObject(stub as DurableObjectStub, (instance) => {
      const parts = partsOf(instance);
      const real = parts.archive.put;
      let hid = false;
      parts.archive.put = async (key, bytes, sha) => {
        await real(key, bytes, sha);
        if (hid) return;
        hid = true;
        await parts.writes.run(() => parts.mailbox.changes.forget(hidden, parts.ids.next().id, "d1"));
      };
    });
    expect(await archiveAll(host.user.id)).toBe(2);
    const [first = ""] = await keysOf(host.user.id);
    expect((await pageRows(first)).find((r) => r.id === hidden)?.hidden).toBe(1);
    expect((await historyPages(host.token, chat)).map((m) => m.id)).toEqual(ids.filter((id) => id !== hidden));
    expect(await guestView(stub, g, 13)).toEqual(before);
    await clearAlarms([], [host.user.id]);
  });

  it("the object dies after the PUT, before the local delete: the next life finishes the page, nothing twice", async () => {
    const { host, g, chat, stub, ids } = await hostedChat(12);
    const before = await guestView(stub, g, 13);
    await configureArchive(host.user.id, TINY);
    await wrapPut(host.user.id, (put) => async (key, bytes, sha) => {
      await put(key, bytes, sha);
      throw new Error("died after the PUT");
    });
    expect(await userStub(host.user.id).archiveStep()).toBe(null);
    expect(await keysOf(host.user.id)).toHaveLength(1);
    expect(await hotIds(host.user.id)).toEqual(ids); // in R2, and still in SQLite
    expect(await guestView(stub, g, 13)).toEqual(before); // a writing page is not read: each entry once
    await runInDurableObject(stub as DurableObjectStub, (_, state) => state.abort("test crash")).catch(() => undefined);
    await configureArchive(host.user.id, TINY);
    expect(await archiveAll(host.user.id)).toBeGreaterThanOrEqual(1);
    const states = await rows<{ state: string }>(host.user.id, "SELECT state FROM archive_pages ORDER BY first");
    expect(states.map((r) => r.state)).toEqual(["done", "done"]);
    expect(await hotIds(host.user.id)).toEqual(ids.slice(10));
    expect(await guestView(userStub(host.user.id), g, 13)).toEqual(before); // the crashed instance's stub is broken
    expect((await historyPages(host.token, chat)).map((m) => m.id)).toEqual(ids);
    await clearAlarms([], [host.user.id]);
  });
});
