import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { UserObject } from "../../objects/user-object";
import { MEDIA_PART_BYTES, MEDIA_PHOTO_MAX_BYTES, MEDIA_SIMPLE_MAX_BYTES } from "../../shared/limits";
import type { Media } from "../../shared/protocol";
import { errorCode } from "../../test/groups";
import { api, connect, register, userStub } from "../../test/helpers";
import { oversizedPng, PNG, TEXT_AS_PNG } from "../../test/images";
import { binary, fetchMedia, mediaRows, storedMedia, uploaded, uploadMedia, WEBM } from "../../test/media";
import { fetchWith } from "../../test/with-env";

async function digest(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
}

const nothingStored = async (userId: string) => {
  expect(await storedMedia(userId)).toEqual([]);
  expect(await mediaRows(userId)).toEqual({ media: 0, grants: 0 });
};

describe("POST /api/media", () => {
  it("stores a photo, answers its id, type and size; the uploader fetches it, nobody else", async () => {
    const alice = await register();
    const res = await uploadMedia(alice.token, "photo", PNG, { "Content-Type": "image/png" });
    expect(res.status).toBe(201);
    const answer = await res.json<{ id: string; kind: string; mime: string; size: number }>();
    expect(answer).toEqual({
      id: expect.stringMatching(/^[0-9a-z]{32}$/),
      kind: "photo",
      mime: "image/png",
      size: PNG.length,
    });
    expect(answer.id.startsWith(alice.user.id)).toBe(true);
    const got = await fetchMedia(alice.token, answer.id);
    expect(got.status).toBe(200);
    expect(got.headers.get("Content-Type")).toBe("image/png");
    expect(got.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(PNG);
    const stranger = await register();
    const refused = await fetchMedia(stranger.token, answer.id);
    expect(refused.status).toBe(404);
    expect(await errorCode(refused)).toBe("unknown_media");
    expect((await api(`/api/media/${answer.id}`)).status).toBe(401);
    expect(await mediaRows(alice.user.id)).toEqual({ media: 1, grants: 0 });
  });

  it("sniffs the bytes: a voice note as audio/webm, a document of any bytes, a file served as a download", async () => {
    const alice = await register();
    expect(await uploaded(alice.token, "voice", WEBM)).toMatchObject({ kind: "voice", mime: "audio/webm" });
    const doc = await uploaded(alice.token, "file", binary(3000));
    expect(doc).toMatchObject({ kind: "file", mime: "application/octet-stream", size: 3000 });
    const got = await fetchMedia(alice.token, doc.id);
    expect(got.headers.get("Content-Disposition")).toBe("attachment");
    await got.body?.cancel();
    expect(await uploaded(alice.token, "file", new TextEncoder().encode("notes\n"))).toMatchObject({
      mime: "text/plain",
    });
  });

  it.each([
    ["a type that lies about itself (image/png on text)", "file", TEXT_AS_PNG, { "Content-Type": "image/png" }],
    ["an image that is not one", "photo", TEXT_AS_PNG, {}],
    ["a voice note that is a picture", "voice", PNG, {}],
    ["audio that claims to be a picture", "file", WEBM, { "Content-Type": "image/jpeg" }],
  ])("refuses %s with 415 unsupported_media, storing nothing", async (_, kind, body, headers) => {
    const alice = await register();
    const res = await uploadMedia(alice.token, kind, body, headers);
    expect(res.status).toBe(415);
    expect(await errorCode(res)).toBe("unsupported_media");
    await nothingStored(alice.user.id);
  });

  it("refuses a zero-byte upload (empty_file) and an unknown kind (invalid_field), storing nothing", async () => {
    const alice = await register();
    const empty = await uploadMedia(alice.token, "file", new Uint8Array(0));
    expect(empty.status).toBe(400);
    expect(await errorCode(empty)).toBe("empty_file");
    const kind = await uploadMedia(alice.token, "video", PNG);
    expect(kind.status).toBe(400);
    expect(await errorCode(kind)).toBe("invalid_field");
    await nothingStored(alice.user.id);
  });

  it("takes a photo of exactly the limit and refuses one byte more (413 too_large), storing nothing more", async () => {
    const alice = await register();
    const over = await uploadMedia(alice.token, "photo", oversizedPng(MEDIA_PHOTO_MAX_BYTES + 1));
    expect(over.status).toBe(413);
    expect(await errorCode(over)).toBe("too_large");
    await nothingStored(alice.user.id);
    const bigFile = await uploadMedia(alice.token, "file", binary(MEDIA_SIMPLE_MAX_BYTES + 1));
    expect(bigFile.status).toBe(413);
    expect(((await bigFile.json()) as { error: { message: string } }).error.message).toMatch(/in parts/);
    expect((await uploadMedia(alice.token, "photo", oversizedPng(MEDIA_PHOTO_MAX_BYTES))).status).toBe(201);
    expect(await storedMedia(alice.user.id)).toHaveLength(1);
  });

  it("refuses past the daily allowance (429 quota_exceeded), storing nothing", async () => {
    const alice = await register();
    const limits = { MEDIA_DAILY: `${PNG.length * 2},10` };
    const post = () => fetchWith(limits, "/api/media?kind=photo", { method: "POST", token: alice.token, body: PNG });
    expect((await post()).status).toBe(201);
    expect((await post()).status).toBe(201);
    const third = await post();
    expect(third.status).toBe(429);
    expect(await errorCode(third)).toBe("quota_exceeded");
    expect(await storedMedia(alice.user.id)).toHaveLength(2);
    expect(await mediaRows(alice.user.id)).toEqual({ media: 2, grants: 0 });
  });
});

describe("uploads in parts", () => {
  it("resumes: parts in any order, the state says which are there, complete makes one object", async () => {
    const alice = await register();
    const size = MEDIA_PART_BYTES + 1000;
    const bytes = binary(size);
    const start = await api("/api/media/uploads", { method: "POST", token: alice.token, body: { kind: "file", size } });
    expect(start.status).toBe(201);
    const state = await start.json<{ id: string; parts: number[]; partSize: number }>();
    expect(state).toMatchObject({ parts: [], partSize: MEDIA_PART_BYTES });
    const put = (n: number, body: Uint8Array) =>
      api(`/api/media/uploads/${state.id}/parts/${n}`, { method: "PUT", token: alice.token, body });
    expect((await put(2, bytes.slice(MEDIA_PART_BYTES))).status).toBe(200);
    // A wrong size, and completing early, are refused.
    expect(await errorCode(await put(1, bytes.slice(0, 100)))).toBe("invalid_body");
    const early = await api(`/api/media/uploads/${state.id}/complete`, { method: "POST", token: alice.token });
    expect(await errorCode(early)).toBe("invalid_body");
    const after = await (await api(`/api/media/uploads/${state.id}`, { token: alice.token })).json();
    expect(after).toMatchObject({ parts: [2] });
    expect((await put(1, bytes.slice(0, MEDIA_PART_BYTES))).status).toBe(200);
    const done = await api(`/api/media/uploads/${state.id}/complete`, { method: "POST", token: alice.token });
    expect(done.status).toBe(201);
    expect(await done.json()).toMatchObject({ id: state.id, kind: "file", size });
    const got = await fetchMedia(alice.token, state.id);
    // Compared by digest: a deep equality of 8 MiB, element by element, takes minutes.
    expect(await digest(new Uint8Array(await got.arrayBuffer()))).toBe(await digest(bytes));
    // Another user cannot see or touch the upload.
    const bob = await register();
    expect((await api(`/api/media/uploads/${state.id}`, { token: bob.token })).status).toBe(404);
  });

  it("refuses a declared size over the limit, and a first part that is not what the kind says", async () => {
    const alice = await register();
    const big = await api("/api/media/uploads", {
      method: "POST",
      token: alice.token,
      body: { kind: "file", size: 100 * 1024 * 1024 + 1 },
    });
    expect(big.status).toBe(413);
    await nothingStored(alice.user.id);
    const start = await api("/api/media/uploads", {
      method: "POST",
      token: alice.token,
      body: { kind: "photo", size: 30 },
    });
    const { id } = await start.json<{ id: string }>();
    const part = await api(`/api/media/uploads/${id}/parts/1`, {
      method: "PUT",
      token: alice.token,
      body: TEXT_AS_PNG,
    });
    expect(await errorCode(part)).toBe("unsupported_media");
    expect((await api(`/api/media/uploads/${id}`, { token: alice.token })).status).toBe(200);
  });
});

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
