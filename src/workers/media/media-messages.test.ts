// Messages that refer to media: who may fetch it, what carries it, the refusals, and when the bytes go.

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { UserObject } from "../../objects/user-object";
import type { Media } from "../../shared/protocol";
import { api, connect, register, userStub } from "../../test/helpers";
import { PNG } from "../../test/images";
import { binary, fetchMedia, mediaRows, storedMedia, uploaded, WEBM } from "../../test/media";

function mediaOf(answer: { id: string; kind: string; mime: string; size: number }, extra: Partial<Media> = {}) {
  return { ...answer, ...extra } as Media;
}

describe("messages with media", () => {
  it("a one-to-one photo reaches the peer with its media; the peer may fetch it, a third user may not", async () => {
    const [alice, bob, carol] = [await register(), await register(), await register()];
    const photo = await uploaded(alice.token, "photo", PNG);
    const [a, b] = [await connect(alice.token), await connect(bob.token)];
    await Promise.all([a.speak(), b.speak()]);
    const media = mediaOf(photo, { width: 2, height: 2, duration: 5, preview: "data:image/png;base64,AAAA" });
    a.send({ type: "send", clientId: "p1", chat: `u:${bob.user.id}`, text: "look", media });
    await a.next("sent");
    const got = await b.next("message");
    // A photo keeps its size and preview; a duration is for voice notes only.
    expect(got.message.media).toEqual({ ...photo, width: 2, height: 2, preview: "data:image/png;base64,AAAA" });
    expect(got.message.text).toBe("look");
    expect((await fetchMedia(bob.token, photo.id)).status).toBe(200);
    expect((await fetchMedia(carol.token, photo.id)).status).toBe(404);
    // History and search (by caption) carry it.
    const history = await (await api(`/api/chats/u:${alice.user.id}/messages`, { token: bob.token })).json<{
      messages: { media?: Media }[];
    }>();
    expect(history.messages.at(-1)?.media?.id).toBe(photo.id);
    expect(await mediaRows(alice.user.id)).toEqual({ media: 1, grants: 1 });
    a.close();
    b.close();
  });

  it("a file with no caption is found by its name; a reply quotes it by name", async () => {
    const [alice, bob] = [await register(), await register()];
    const file = await uploaded(alice.token, "file", binary(500));
    const a = await connect(alice.token);
    await a.speak();
    a.send({
      type: "send",
      clientId: "f1",
      chat: `u:${bob.user.id}`,
      media: mediaOf(file, { name: "quarterly report.pdf" }),
    });
    const sent = await a.next("sent");
    a.send({ type: "send", clientId: "f2", chat: `u:${bob.user.id}`, text: "see above", replyTo: sent.id });
    const reply = await a.next("message", (f) => f.message.clientId === "f2");
    expect(reply.message.replyTo?.excerpt).toBe("📄 quarterly report.pdf");
    const found = await (await api("/api/search?q=quarterly", { token: alice.token })).json<{
      messages: { id: string }[];
    }>();
    expect(found.messages.map((m) => m.id)).toEqual([sent.id]);
    a.close();
  });

  it("in a group: members fetch it, an outsider does not", async () => {
    const [alice, bob, eve] = [await register(), await register(), await register()];
    const group = await (
      await api("/api/groups", { method: "POST", token: alice.token, body: { name: "g", members: [bob.user.id] } })
    ).json<{ id: string }>();
    const voice = await uploaded(alice.token, "voice", WEBM);
    const a = await connect(alice.token);
    await a.speak();
    a.send({ type: "send", clientId: "v1", chat: `g:${group.id}`, media: mediaOf(voice, { duration: 3200 }) });
    await a.next("sent");
    const own = await a.next("message", (f) => f.message.clientId === "v1");
    expect(own.message.media).toEqual({ ...voice, duration: 3200 });
    expect((await fetchMedia(bob.token, voice.id)).status).toBe(200);
    expect((await fetchMedia(eve.token, voice.id)).status).toBe(404);
    a.close();
  });

  it.each([
    ["a media id of another user's, never sent to a chat of the sender", "unknown_media"],
    ["media that says another size than uploaded", "invalid_media"],
    ["media of another kind than uploaded", "invalid_media"],
  ])("refuses %s, storing nothing", async (label, code) => {
    const [alice, bob] = [await register(), await register()];
    const mine = await uploaded(alice.token, "photo", PNG);
    const theirs = await uploaded(bob.token, "photo", PNG);
    const media = label.startsWith("a media id")
      ? mediaOf(theirs)
      : label.includes("size")
        ? mediaOf(mine, { size: mine.size + 1 })
        : mediaOf(mine, { kind: "file" });
    const a = await connect(alice.token);
    await a.speak();
    a.send({ type: "send", clientId: "x1", chat: `u:${bob.user.id}`, text: "hi", media });
    const error = await a.next("error");
    expect(error).toMatchObject({ code, clientId: "x1" });
    const history = await (await api(`/api/chats/u:${bob.user.id}/messages`, { token: alice.token })).json<{
      messages: unknown[];
    }>();
    expect(history.messages).toEqual([]);
    expect((await fetchMedia(alice.token, theirs.id)).status).toBe(404);
    a.close();
  });

  it("a send refused after the media check (a blocked peer) leaves no grant; the upload stays for a later send", async () => {
    const [alice, bob] = [await register(), await register()];
    const photo = await uploaded(alice.token, "photo", PNG);
    expect(
      (await api("/api/me/blocked", { method: "POST", token: alice.token, body: { userId: bob.user.id } })).status,
    ).toBe(200);
    const a = await connect(alice.token);
    await a.speak();
    a.send({ type: "send", clientId: "b1", chat: `u:${bob.user.id}`, media: mediaOf(photo) });
    expect(await a.next("error")).toMatchObject({ code: "blocked", clientId: "b1" });
    expect(await mediaRows(alice.user.id)).toEqual({ media: 1, grants: 0 });
    expect((await fetchMedia(bob.token, photo.id)).status).toBe(404);
    expect(await storedMedia(alice.user.id)).toHaveLength(1);
    a.close();
  });

  it("a forward of a photo copies its media and grants the new chat: no second upload", async () => {
    const [alice, bob, carol, dave] = [await register(), await register(), await register(), await register()];
    const photo = await uploaded(alice.token, "photo", PNG);
    const a = await connect(alice.token);
    await a.speak();
    a.send({ type: "send", clientId: "o1", chat: `u:${bob.user.id}`, text: "original", media: mediaOf(photo) });
    const original = await a.next("sent");
    a.close();
    await expect.poll(async () => (await fetchMedia(bob.token, photo.id)).status).toBe(200);
    const b = await connect(bob.token);
    await b.speak();
    b.send({
      type: "send",
      clientId: "fw1",
      chat: `u:${carol.user.id}`,
      forward: { chat: `u:${alice.user.id}`, id: original.id },
    });
    const copy = await b.next("message", (f) => f.message.clientId === "fw1");
    expect(copy.message).toMatchObject({ text: "original", media: photo, forwarded: 1 });
    expect((await fetchMedia(carol.token, photo.id)).status).toBe(200);
    expect((await fetchMedia(dave.token, photo.id)).status).toBe(404);
    expect(await mediaRows(alice.user.id)).toEqual({ media: 1, grants: 2 });
    expect(await storedMedia(alice.user.id)).toHaveLength(1);
    b.close();
  });

  it("a send without text nor media is refused (invalid_field)", async () => {
    const [alice, bob] = [await register(), await register()];
    const a = await connect(alice.token);
    await a.speak();
    a.send({ type: "send", clientId: "e1", chat: `u:${bob.user.id}` });
    expect(await a.next("error")).toMatchObject({ code: "invalid_field", clientId: "e1" });
    a.close();
  });

  it("delete for everyone of the last message referring to it removes the bytes", async () => {
    const [alice, bob] = [await register(), await register()];
    const photo = await uploaded(alice.token, "photo", PNG);
    const a = await connect(alice.token);
    await a.speak();
    a.send({ type: "send", clientId: "d1", chat: `u:${bob.user.id}`, media: mediaOf(photo) });
    const sent = await a.next("sent");
    a.send({ type: "delete", clientId: "d2", id: sent.id, for: "everyone" });
    const update = await a.next("update");
    expect(update.message.media).toBeUndefined();
    await expect.poll(() => storedMedia(alice.user.id)).toEqual([]);
    expect(await mediaRows(alice.user.id)).toEqual({ media: 0, grants: 0 });
    expect((await fetchMedia(bob.token, photo.id)).status).toBe(404);
    a.close();
  });

  it("an upload sets the object's alarm for its 24 hours, and a device going quiet does not cancel it", async () => {
    const alice = await register();
    const before = Date.now();
    await uploaded(alice.token, "photo", PNG);
    const alarm = () => runInDurableObject(userStub(alice.user.id), (_, state) => state.storage.getAlarm());
    const day = 24 * 3600_000;
    expect(await alarm()).toBeGreaterThanOrEqual(before + day);
    expect(await alarm()).toBeLessThanOrEqual(Date.now() + day);
    // A device comes and goes: the presence's idle step cancels alarms nothing else needs.
    const a = await connect(alice.token);
    await a.speak();
    a.close();
    await a.waitClosed();
    await new Promise((r) => setTimeout(r, 300));
    expect(await alarm()).not.toBeNull();
  });

  it("an upload never sent is deleted after 24 h; a sent one stays", async () => {
    const [alice, bob] = [await register(), await register()];
    const unsent = await uploaded(alice.token, "photo", PNG);
    const sentOne = await uploaded(alice.token, "photo", PNG);
    const a = await connect(alice.token);
    await a.speak();
    a.send({ type: "send", clientId: "s1", chat: `u:${bob.user.id}`, media: mediaOf(sentOne) });
    await a.next("sent");
    a.close();
    const swept = await runInDurableObject(userStub(alice.user.id), (object: UserObject) => {
      const { parts } = object as unknown as { parts: { media: { sweep(now: number): Promise<number> } } };
      return parts.media.sweep(Date.now() + 25 * 3600_000);
    });
    expect(swept).toBe(1);
    expect(await storedMedia(alice.user.id)).toEqual([`media/${alice.user.id}/${sentOne.id}`]);
    expect((await fetchMedia(alice.token, unsent.id)).status).toBe(404);
    expect(await env.MEDIA.head(`media/${alice.user.id}/${unsent.id}`)).toBeNull();
    // The alarm is set for the uploads still waiting, none here.
    expect(await mediaRows(alice.user.id)).toEqual({ media: 1, grants: 1 });
  });
});
