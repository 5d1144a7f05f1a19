// Profiles and profile pictures against `wrangler dev` (local D1 and R2), over
// real HTTP: edits and their validation, upload, replace, fetch without a
// token, conditional GET, a text file named .png, an oversized picture.

import { describe, expect, inject, it } from "vitest";
import { AVATAR_MAX_BYTES } from "../../src/shared/limits";
import type { Me, User } from "../../src/shared/protocol";
import { JPEG, oversizedPng, PNG, TEXT_AS_PNG } from "../../src/test/images";
import { http, registerUser } from "../support/raw-socket";

const base = inject("baseUrl");

function upload(token: string, body: Uint8Array<ArrayBuffer>, contentType = "image/png"): Promise<Response> {
  return fetch(`${base}/api/me/avatar`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": contentType },
    body,
  });
}

describe("profiles end to end", () => {
  it("edits the profile, refuses bad edits with a code, and others see the result", async () => {
    const alice = await registerUser(base, "alice");
    const bob = await registerUser(base, "bob");
    const edited = await http<Me>(base, "/api/me", {
      method: "PATCH",
      token: alice.token,
      body: { displayName: "Alice", about: "at the tea party", lastSeenVisibility: "contacts" },
    });
    expect(edited).toEqual({
      status: 200,
      body: { ...alice.user, displayName: "Alice", about: "at the tea party", lastSeenVisibility: "contacts" },
    });
    for (const body of [{ displayName: "" }, { about: "x".repeat(141) }, { lastSeenVisibility: "all" }, { id: "x" }]) {
      const refused = await http(base, "/api/me", { method: "PATCH", token: alice.token, body });
      expect(refused).toMatchObject({ status: 400, body: { error: { code: "invalid_field" } } });
    }
    const seen = await http<User>(base, `/api/users/${alice.user.username}`, { token: bob.token });
    expect(seen).toEqual({ status: 200, body: { ...alice.user, displayName: "Alice", about: "at the tea party" } });
    const byId = await http<{ users: User[] }>(base, `/api/users?ids=${alice.user.id}`, { token: bob.token });
    expect(byId.body.users).toEqual([seen.body]);
  });

  it("uploads, serves at its versioned URL without a token, revalidates, replaces, and refuses bad pictures", async () => {
    const alice = await registerUser(base, "alice");
    expect((await fetch(`${base}/api/users/${alice.user.id}/avatar`)).status).toBe(404);

    const first = await upload(alice.token, PNG);
    expect(first.status).toBe(200);
    const me = (await first.json()) as Me;
    expect(me.avatar).toMatch(new RegExp(`^/api/users/${alice.user.id}/avatar\\?v=`));

    const got = await fetch(`${base}${me.avatar}`);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("image/png");
    expect(got.headers.get("cache-control")).toContain("immutable");
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(PNG);
    const etag = got.headers.get("etag") ?? "";
    const revalidated = await fetch(`${base}/api/users/${alice.user.id}/avatar`, {
      headers: { "If-None-Match": etag },
    });
    expect(revalidated.status).toBe(304);

    // A text file named .png, sent as image/png: refused, the picture stays.
    const text = await upload(alice.token, TEXT_AS_PNG, "image/png");
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ error: { code: "unsupported_media" } });
    const big = await upload(alice.token, oversizedPng(AVATAR_MAX_BYTES + 1));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: "too_large" } });
    const still = await fetch(`${base}/api/users/${alice.user.id}/avatar`, { headers: { "If-None-Match": etag } });
    expect(still.status).toBe(304);

    const replaced = await upload(alice.token, JPEG, "application/octet-stream");
    expect(replaced.status).toBe(200);
    // A stale ETag names no current version: the bare URL then needs a token (the picture follows blocks).
    const anonymous = await fetch(`${base}/api/users/${alice.user.id}/avatar`, { headers: { "If-None-Match": etag } });
    expect(anonymous.status).toBe(404);
    const after = await fetch(`${base}/api/users/${alice.user.id}/avatar`, {
      headers: { "If-None-Match": etag, Authorization: `Bearer ${alice.token}` },
    });
    expect(after.status).toBe(200);
    expect(after.headers.get("content-type")).toBe("image/jpeg");
    expect(after.headers.get("etag")).not.toBe(etag);
    expect(new Uint8Array(await after.arrayBuffer())).toEqual(JPEG);
  });
});
