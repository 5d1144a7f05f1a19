// POST /api/media and the uploads in parts, with real R2: what is stored, and every refusal with the state after it.

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { mediaKey } from "../../objects/user/media-store";
import { MEDIA_PART_BYTES, MEDIA_PHOTO_MAX_BYTES, MEDIA_SIMPLE_MAX_BYTES } from "../../shared/limits";
import { errorCode } from "../../test/groups";
import { api, register, userStub } from "../../test/helpers";
import { oversizedPng, PNG, TEXT_AS_PNG } from "../../test/images";
import { binary, fetchMedia, mediaRows, storedMedia, uploaded, uploadMedia, WEBM } from "../../test/media";
import { fetchWith } from "../../test/with-env";

async function digest(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The R2 upload id the user's object keeps for an upload in parts. */
function uploadIdOf(userId: string, id: string): Promise<string | null> {
  return runInDurableObject(
    userStub(userId),
    (_, state) =>
      state.storage.sql.exec<{ upload_id: string | null }>("SELECT upload_id FROM media WHERE id = ?", id).one()
        .upload_id,
  );
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
    // A video has the photo's 16 MiB, even as a file: its first part says what it is.
    const videoSize = MEDIA_PHOTO_MAX_BYTES + 1;
    const video = await api("/api/media/uploads", {
      method: "POST",
      token: alice.token,
      body: { kind: "file", size: videoSize },
    });
    const videoId = (await video.json<{ id: string }>()).id;
    const first = new Uint8Array(MEDIA_PART_BYTES);
    first.set(WEBM);
    const refused = await api(`/api/media/uploads/${videoId}/parts/1`, {
      method: "PUT",
      token: alice.token,
      body: first,
    });
    expect(refused.status).toBe(413);
    expect(await (await api(`/api/media/uploads/${videoId}`, { token: alice.token })).json()).toMatchObject({
      parts: [],
    });
  });

  it("gives one up: no part taken after it, R2's parts gone, its bytes back in the allowance (not its count)", async () => {
    const alice = await register();
    const size = MEDIA_PART_BYTES + 1000;
    const bytes = binary(size);
    // An allowance of one such upload's bytes (and 10 more), and of two uploads.
    const limits = { MEDIA_DAILY: `${size + 10},2` };
    const start = (kind: string, n = size) =>
      fetchWith(limits, "/api/media/uploads", { method: "POST", token: alice.token, body: { kind, size: n } });
    const first = await start("file");
    expect(first.status).toBe(201);
    const { id } = await first.json<{ id: string }>();
    const part1 = bytes.slice(0, MEDIA_PART_BYTES);
    expect(
      (await api(`/api/media/uploads/${id}/parts/1`, { method: "PUT", token: alice.token, body: part1 })).status,
    ).toBe(200);
    // The allowance's bytes are taken while it is in progress.
    expect(await errorCode(await start("file"))).toBe("quota_exceeded");

    // Another user cannot give it up; an unknown id is 404 too; nothing changed.
    const bob = await register();
    const byBob = await api(`/api/media/uploads/${id}`, { method: "DELETE", token: bob.token });
    expect(byBob.status).toBe(404);
    expect(await errorCode(byBob)).toBe("unknown_media");
    expect((await api(`/api/media/uploads/${id}`, { token: alice.token })).status).toBe(200);

    const gone = await api(`/api/media/uploads/${id}`, { method: "DELETE", token: alice.token });
    expect(gone.status).toBe(204);
    // Every route of that id now answers unknown_media, a second DELETE included.
    for (const res of [
      await api(`/api/media/uploads/${id}`, { token: alice.token }),
      await api(`/api/media/uploads/${id}/parts/2`, {
        method: "PUT",
        token: alice.token,
        body: bytes.slice(MEDIA_PART_BYTES),
      }),
      await api(`/api/media/uploads/${id}/complete`, { method: "POST", token: alice.token }),
      await api(`/api/media/uploads/${id}`, { method: "DELETE", token: alice.token }),
    ]) {
      expect(res.status).toBe(404);
      expect(await errorCode(res)).toBe("unknown_media");
    }
    // R2 aborted the upload: its parts cannot be completed into an object.
    const upload = env.MEDIA.resumeMultipartUpload(mediaKey(id), (await uploadIdOf(alice.user.id, id)) ?? "");
    await expect(upload.complete([{ partNumber: 1, etag: "x" }])).rejects.toThrow();
    expect(await storedMedia(alice.user.id)).toEqual([]);
    // Its bytes are back in the allowance, its count is not: a second fits, a third does not.
    expect((await start("file")).status).toBe(201);
    const third = await start("file", 10);
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({
      error: { code: "quota_exceeded", message: expect.stringContaining("2 uploads a day") },
    });
  });
});
