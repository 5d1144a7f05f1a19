// Media end to end against `wrangler dev`, over real sockets: upload to R2
// through the Worker, a message that refers to it (one-to-one and in a
// group), the frames, sync, history, search and quotes that carry it, who
// may fetch it, a refused reference, and delete for everyone taking the
// bytes along. Every answer is checked against the published schemas.

import { describe, expect, inject, it } from "vitest";
import type { AuthAnswer, Media, Message } from "../../src/shared/protocol";
import type { UploadAnswer } from "../../src/shared/schemas/media";
import { makePng } from "../support/png";
import { http, RawSocket, registerUser } from "../support/raw-socket";

const base = inject("baseUrl");
const PHOTO = makePng(40, 30, (x, y) => [x * 6, y * 8, 90]);

async function upload(who: AuthAnswer, kind: string, body: Uint8Array, type = "application/octet-stream") {
  const bytes = new Blob([body as Uint8Array<ArrayBuffer>]);
  const res = await fetch(`${base}/api/media?kind=${kind}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${who.token}`, "Content-Type": type },
    body: bytes,
  });
  expect(res.status).toBe(201);
  return (await res.json()) as UploadAnswer;
}

function fetchMedia(who: AuthAnswer, id: string): Promise<Response> {
  return fetch(`${base}/api/media/${id}`, { headers: { Authorization: `Bearer ${who.token}` } });
}

async function open(who: AuthAnswer): Promise<RawSocket> {
  const socket = await RawSocket.open(base, who.token);
  await socket.sync();
  return socket;
}

describe("media end to end", () => {
  it("a photo to a peer: message, sync, history, search, quote, fetch; delete for everyone removes the bytes", async () => {
    const [alice, bob, carol] = await Promise.all([
      registerUser(base, "alice"),
      registerUser(base, "bob"),
      registerUser(base, "carol"),
    ]);
    const photo = await upload(alice, "photo", PHOTO, "image/png");
    expect(photo).toMatchObject({ kind: "photo", mime: "image/png", size: PHOTO.length });
    const [a, b] = [await open(alice), await open(bob)];
    const media: Media = {
      ...photo,
      name: "sunset.png",
      width: 40,
      height: 30,
      preview: "data:image/jpeg;base64,/9j/",
    };
    a.send({ type: "send", clientId: "m1", chat: `u:${bob.user.id}`, text: "the sunset", media });
    const sent = await a.next("sent");
    const got = await b.next("message", (f) => f.message.id === sent.id);
    expect(got.message.media).toEqual(media);
    expect(got.message.text).toBe("the sunset");

    // The bytes: the peer yes, anyone else no (the same answer as no such media).
    const bytes = await fetchMedia(bob, photo.id);
    expect(bytes.status).toBe(200);
    expect(Buffer.from(await bytes.arrayBuffer()).equals(PHOTO)).toBe(true);
    const refused = await fetchMedia(carol, photo.id);
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("unknown_media");

    // A new device's sync, history and search (by the file's name) carry it.
    const b2 = await RawSocket.open(base, bob.token);
    await b2.sync(0);
    expect(b2.of("message").find((f) => f.message.id === sent.id)?.message.media).toEqual(media);
    const history = await http<{ messages: Message[] }>(base, `/api/chats/u:${alice.user.id}/messages`, {
      token: bob.token,
    });
    expect(history.body.messages.at(-1)?.media).toEqual(media);
    const found = await http<{ messages: Message[] }>(base, "/api/search?q=sunset.png", { token: bob.token });
    expect(found.body.messages.map((m) => m.id)).toEqual([sent.id]);

    // A reply quotes it.
    b.send({ type: "send", clientId: "r1", chat: `u:${alice.user.id}`, text: "wow", replyTo: sent.id });
    const reply = await b.next("message", (f) => f.message.clientId === "r1");
    expect(reply.message.replyTo).toMatchObject({ id: sent.id, excerpt: "the sunset" });

    // Delete for everyone: the message loses its media everywhere, and the bytes go.
    a.send({ type: "delete", clientId: "d1", id: sent.id, for: "everyone" });
    const gone = await b.next("update", (f) => f.message.id === sent.id);
    expect(gone.message.media).toBeUndefined();
    for (let tries = 0; tries < 50 && (await fetchMedia(alice, photo.id)).status !== 404; tries++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await fetchMedia(alice, photo.id)).status).toBe(404);
    expect((await fetchMedia(bob, photo.id)).status).toBe(404);
    for (const s of [a, b, b2]) s.close();
  });

  it("in a group: a voice note reaches every member, who may fetch it; an outsider may not", async () => {
    const [alice, bob, eve] = await Promise.all([
      registerUser(base, "alice"),
      registerUser(base, "bob"),
      registerUser(base, "eve"),
    ]);
    const group = await http<{ id: string }>(base, "/api/groups", {
      method: "POST",
      token: alice.token,
      body: { name: "band", members: [bob.user.id] },
    });
    const webm = Uint8Array.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01]);
    const voice = await upload(alice, "voice", webm, "audio/webm;codecs=opus");
    const [a, b] = [await open(alice), await open(bob)];
    a.send({ type: "send", clientId: "v1", chat: `g:${group.body.id}`, media: { ...voice, duration: 2500 } });
    const sent = await a.next("sent");
    const got = await b.next("message", (f) => f.message.id === sent.id);
    expect(got.message).toMatchObject({ text: "", media: { ...voice, duration: 2500 } });
    expect((await fetchMedia(bob, voice.id)).status).toBe(200);
    expect((await fetchMedia(eve, voice.id)).status).toBe(404);
    a.close();
    b.close();
  });

  it("a media id the sender may not use is refused with its clientId, and nothing is stored", async () => {
    const [alice, bob] = await Promise.all([registerUser(base, "alice"), registerUser(base, "bob")]);
    const bobs = await upload(bob, "file", new TextEncoder().encode("bob's notes\n"));
    const a = await open(alice);
    a.send({ type: "send", clientId: "x1", chat: `u:${bob.user.id}`, text: "mine now", media: bobs });
    expect(await a.next("error")).toMatchObject({ code: "unknown_media", clientId: "x1" });
    const history = await http<{ messages: Message[] }>(base, `/api/chats/u:${bob.user.id}/messages`, {
      token: alice.token,
    });
    expect(history.body.messages).toEqual([]);
    expect((await fetchMedia(alice, bobs.id)).status).toBe(404);
    a.close();
  });
});
