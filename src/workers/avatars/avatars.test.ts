import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { randomId } from "../../shared/ids";
import { AVATAR_MAX_BYTES } from "../../shared/limits";
import type { Me } from "../../shared/protocol";
import { api, BASE, register } from "../../test/helpers";
import { JPEG, oversizedPng, PNG, TEXT_AS_PNG, WEBP } from "../../test/images";
import { dbOf } from "../../test/shards";

function upload(token: string | null, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  const all = new Headers(headers);
  if (token) all.set("Authorization", `Bearer ${token}`);
  return exports.default.fetch(new Request(`${BASE}/api/me/avatar`, { method: "PUT", headers: all, body }));
}

function fetchAvatar(userId: string, headers: Record<string, string> = {}, query = ""): Promise<Response> {
  return exports.default.fetch(new Request(`${BASE}/api/users/${userId}/avatar${query}`, { headers }));
}

/** The bare URL (no version) serves only with a token: see "the picture follows the block" in safety/blocked.test.ts. */
function auth(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

async function bytesOf(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

async function storedKeys(userId: string): Promise<string[]> {
  return (await env.AVATARS.list({ prefix: `avatars/${userId}/` })).objects.map((o) => o.key);
}

async function pointer(userId: string): Promise<string | null> {
  const row = await dbOf(userId).prepare("SELECT avatar_etag FROM users WHERE id = ?").bind(userId).first<{
    avatar_etag: string | null;
  }>();
  return row?.avatar_etag ?? null;
}

describe("profile pictures", () => {
  it("a user without one gets 404, and no avatar field", async () => {
    const { token, user } = await register();
    const res = await fetchAvatar(user.id, auth(token));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
    expect(await (await api("/api/me", { token })).json()).not.toHaveProperty("avatar");
    expect((await fetchAvatar("not-an-id")).status).toBe(404);
    expect((await fetchAvatar(randomId())).status).toBe(404);
  });

  it("uploads, then serves it (at its versioned URL without a token), with type, ETag and cache headers", async () => {
    const { token, user } = await register();
    const res = await upload(token, PNG, { "Content-Type": "image/png" });
    expect(res.status).toBe(200);
    const me = (await res.json()) as Me;
    const version = await pointer(user.id);
    expect(me.avatar).toBe(`/api/users/${user.id}/avatar?v=${version}`);

    const got = await fetchAvatar(user.id, auth(token));
    expect(got.status).toBe(200);
    expect(got.headers.get("Content-Type")).toBe("image/png");
    expect(got.headers.get("ETag")).toBe(`"${version}"`);
    expect(got.headers.get("Cache-Control")).toBe("public, no-cache");
    expect(got.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(await bytesOf(got)).toEqual(PNG);

    const versioned = await fetchAvatar(user.id, {}, `?v=${version}`);
    expect(versioned.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    await versioned.body?.cancel();

    const again = await fetchAvatar(user.id, { "If-None-Match": `W/"other", "${version}"` });
    expect(again.status).toBe(304);
    expect(again.headers.get("ETag")).toBe(`"${version}"`);

    // Others see it in the profile too.
    const other = await register();
    const profile = await api(`/api/users/${user.username}`, { token: other.token });
    expect(await profile.json()).toMatchObject({ avatar: me.avatar });
  });

  it("replaces it: new bytes, new ETag, the old object gone", async () => {
    const { token, user } = await register();
    await upload(token, PNG);
    const first = await pointer(user.id);
    // The header says PNG; the bytes are a JPEG: the bytes decide.
    const res = await upload(token, JPEG, { "Content-Type": "image/png" });
    expect(res.status).toBe(200);
    const second = await pointer(user.id);
    expect(second).not.toBe(first);
    expect(await storedKeys(user.id)).toEqual([`avatars/${user.id}/${second}`]);

    const stale = await fetchAvatar(user.id, { ...auth(token), "If-None-Match": `"${first}"` });
    expect(stale.status).toBe(200);
    expect(stale.headers.get("Content-Type")).toBe("image/jpeg");
    expect(await bytesOf(stale)).toEqual(JPEG);

    await upload(token, WEBP);
    const third = await fetchAvatar(user.id, auth(token));
    expect(third.headers.get("Content-Type")).toBe("image/webp");
    expect(await bytesOf(third)).toEqual(WEBP);
    expect(await storedKeys(user.id)).toHaveLength(1);
  });

  it("refuses a text file named .png with 415 and keeps the picture it had", async () => {
    const { token, user } = await register();
    await upload(token, PNG);
    const before = await pointer(user.id);
    const res = await upload(token, TEXT_AS_PNG, {
      "Content-Type": "image/png",
      "Content-Disposition": 'attachment; filename="picture.png"',
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { code: "unsupported_media" } });
    expect(await pointer(user.id)).toBe(before);
    expect(await storedKeys(user.id)).toEqual([`avatars/${user.id}/${before}`]);
    expect(await bytesOf(await fetchAvatar(user.id, auth(token)))).toEqual(PNG);
  });

  it("takes exactly the limit and refuses one byte more with 413, declared or streamed", async () => {
    const { token, user } = await register();
    expect((await upload(token, oversizedPng(AVATAR_MAX_BYTES))).status).toBe(200);
    const before = await pointer(user.id);

    const declared = await upload(token, oversizedPng(AVATAR_MAX_BYTES + 1));
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: { code: "too_large" } });

    // No Content-Length: the body is counted as it arrives.
    const big = oversizedPng(AVATAR_MAX_BYTES + 1);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < big.length; at += 64 * 1024) controller.enqueue(big.slice(at, at + 64 * 1024));
        controller.close();
      },
    });
    const streamed = await upload(token, stream);
    expect(streamed.status).toBe(413);
    expect(await pointer(user.id)).toBe(before);
    expect(await storedKeys(user.id)).toEqual([`avatars/${user.id}/${before}`]);
  });

  it("refuses an empty body with 400 and a missing token with 401", async () => {
    const { token, user } = await register();
    const empty = await upload(token, new Uint8Array(0));
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ error: { code: "invalid_body" } });
    expect((await upload(null, PNG)).status).toBe(401);
    expect(await pointer(user.id)).toBeNull();
    expect(await storedKeys(user.id)).toEqual([]);
  });

  it("removes it with DELETE", async () => {
    const { token, user } = await register();
    await upload(token, PNG);
    const res = await api("/api/me/avatar", { method: "DELETE", token });
    expect(res.status).toBe(204);
    expect((await fetchAvatar(user.id, auth(token))).status).toBe(404);
    expect(await storedKeys(user.id)).toEqual([]);
    expect((await api("/api/me/avatar", { method: "DELETE", token })).status).toBe(204);
  });

  it("readers during replacements always get one whole picture, matching its ETag", async () => {
    const { token, user } = await register();
    const pictures = [PNG, JPEG, WEBP];
    await upload(token, PNG);
    const seen: { etag: string | null; bytes: Uint8Array }[] = [];
    const readers = Array.from({ length: 30 }, async () => {
      const res = await fetchAvatar(user.id, auth(token));
      expect(res.status).toBe(200);
      seen.push({ etag: res.headers.get("ETag"), bytes: await bytesOf(res) });
    });
    const writers = Array.from({ length: 6 }, (_, i) => upload(token, pictures[i % 3] as Uint8Array));
    const answers = await Promise.all(writers);
    await Promise.all(readers);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    for (const { bytes } of seen) {
      expect(pictures.some((p) => p.length === bytes.length && p.every((b, i) => bytes[i] === b))).toBe(true);
    }
    // Each ETag always came with the same bytes.
    const byEtag = new Map<string | null, number>();
    for (const { etag, bytes } of seen) {
      expect(byEtag.get(etag) ?? bytes.length).toBe(bytes.length);
      byEtag.set(etag, bytes.length);
    }
    // Afterwards: one object, the one the pointer names.
    expect(await storedKeys(user.id)).toEqual([`avatars/${user.id}/${await pointer(user.id)}`]);
  });
});
