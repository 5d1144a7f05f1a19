// Media grants keyed by the send that made them (./media-store.ts `media_refs`;
// docs/one-copy-per-chat.md, "Retries and grants"): every try of a send grants
// once, a refused send withdraws its own grant only, and the message's delete
// for everyone takes the last reference and the bytes along.

import { afterEach, describe, expect, it, vi } from "vitest";
import { api, connect, register } from "../../test/helpers";
import { hostedDevices } from "../../test/hosted";
import { grantsOf, mediaMessageRows, mediaOf, photoWhileHostFails } from "../../test/hosted-media";
import { PNG } from "../../test/images";
import { fetchMedia, mediaRows, storedMedia, uploaded } from "../../test/media";

afterEach(() => {
  vi.restoreAllMocks();
});

async function groupOf(token: string, members: string[]): Promise<string> {
  const res = await api("/api/groups", { method: "POST", token, body: { name: "g", members } });
  return `g:${(await res.json<{ id: string }>()).id}`;
}

describe("a media grant per send", () => {
  it("a group send with media tried twice: one reference; its delete for everyone deletes the bytes", async () => {
    const [alice, bob] = [await register(), await register()];
    const chat = await groupOf(alice.token, [bob.user.id]);
    const photo = await uploaded(alice.token, "photo", PNG);
    const a = await connect(alice.token);
    await a.speak();
    a.send({ type: "send", clientId: "r1", chat, media: mediaOf(photo) });
    const first = await a.next("sent", (f) => f.clientId === "r1");
    a.send({ type: "send", clientId: "r1", chat, media: mediaOf(photo) });
    expect((await a.next("sent", (f) => f.clientId === "r1")).id).toBe(first.id);
    expect((await grantsOf(alice.user.id)).map((g) => g.refs)).toEqual([1]);
    a.send({ type: "delete", clientId: "d1", id: first.id, for: "everyone" });
    await a.next("update", (f) => f.message.id === first.id);
    await expect.poll(() => storedMedia(alice.user.id)).toEqual([]);
    expect(await mediaRows(alice.user.id)).toEqual({ media: 0, grants: 0 });
    expect((await fetchMedia(bob.token, photo.id)).status).toBe(404);
    a.close();
  });

  it("a send refused after its grant withdraws its own only: the message sent before keeps the media", async () => {
    const [alice, bob] = [await register(), await register()];
    const chat = await groupOf(alice.token, [bob.user.id]);
    const photo = await uploaded(alice.token, "photo", PNG);
    const a = await connect(alice.token);
    await a.speak();
    a.send({ type: "send", clientId: "o1", chat: `u:${bob.user.id}`, text: "elsewhere" });
    const elsewhere = await a.next("sent", (f) => f.clientId === "o1");
    a.send({ type: "send", clientId: "m1", chat, media: mediaOf(photo) });
    const kept = await a.next("sent", (f) => f.clientId === "m1");
    // Granted, then refused: a quote of another chat's message.
    a.send({ type: "send", clientId: "m2", chat, media: mediaOf(photo), replyTo: elsewhere.id });
    expect(await a.next("error", (f) => f.clientId === "m2")).toMatchObject({ code: "invalid_reply" });
    expect((await grantsOf(alice.user.id)).map((g) => g.refs)).toEqual([1]);
    expect((await fetchMedia(bob.token, photo.id)).status).toBe(200);
    a.send({ type: "delete", clientId: "d1", id: kept.id, for: "everyone" });
    await a.next("update", (f) => f.message.id === kept.id);
    await expect.poll(() => storedMedia(alice.user.id)).toEqual([]);
    expect(await mediaRows(alice.user.id)).toEqual({ media: 0, grants: 0 });
    a.close();
  });

  it("hosted: host unreachable, then the retry refused (the guest blocked it): no reference left", async () => {
    const devices = await hostedDevices();
    const { host, guest, chat, g1, end } = devices;
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const { photo, answer, restore } = await photoWhileHostFails(devices, "u1", false);
    expect(answer).toMatchObject({ code: "unavailable" });
    expect((await grantsOf(guest.user.id)).map((g) => g.refs)).toEqual([1]);
    await restore();
    const blocked = await api("/api/me/blocked", {
      method: "POST",
      token: guest.token,
      body: { userId: host.user.id },
    });
    expect(blocked.status).toBe(200);
    g1.send({ type: "send", clientId: "u1", chat, media: mediaOf(photo) });
    // A socket's frames stay: the retry's answer is the second error of its key.
    const refused = await g1.next("error", (f) => f.clientId === "u1" && f.code !== "unavailable");
    expect(refused).toMatchObject({ code: "blocked" });
    expect(await mediaMessageRows(host.user.id)).toEqual([]);
    expect(await mediaRows(guest.user.id)).toEqual({ media: 1, grants: 0 });
    expect((await fetchMedia(host.token, photo.id)).status).toBe(404);
    await end();
  });
});
