import { describe, expect, it } from "vitest";
import { randomId } from "../../shared/ids";
import { ABOUT_MAX, DISPLAY_NAME_MAX, USER_LOOKUP_MAX } from "../../shared/limits";
import type { Me, User } from "../../shared/protocol";
import { api, register, uniqueName } from "../../test/helpers";

async function me(token: string): Promise<Me> {
  const res = await api("/api/me", { token });
  expect(res.status).toBe(200);
  return res.json();
}

async function patch(token: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await api("/api/me", { method: "PATCH", token, body });
  return { status: res.status, body: await res.json() };
}

describe("GET /api/me", () => {
  it("answers the caller's own profile with its privacy setting", async () => {
    const { token, user } = await register();
    expect(await me(token)).toEqual({ ...user, lastSeenVisibility: "everyone" });
  });

  it("asks for a token", async () => {
    expect((await api("/api/me")).status).toBe(401);
    expect((await api("/api/me", { method: "PATCH", body: { about: "x" } })).status).toBe(401);
  });
});

describe("PATCH /api/me", () => {
  it("changes each field alone, keeps the others, and the change lasts", async () => {
    const { token, user } = await register();
    expect((await patch(token, { displayName: "Alice Liddell" })).body).toEqual({
      ...user,
      displayName: "Alice Liddell",
      lastSeenVisibility: "everyone",
    });
    expect((await patch(token, { about: "Down the rabbit hole" })).body).toMatchObject({
      displayName: "Alice Liddell",
      about: "Down the rabbit hole",
    });
    expect((await patch(token, { lastSeenVisibility: "contacts" })).body).toMatchObject({
      displayName: "Alice Liddell",
      about: "Down the rabbit hole",
      lastSeenVisibility: "contacts",
    });
    expect(await me(token)).toEqual({
      ...user,
      displayName: "Alice Liddell",
      about: "Down the rabbit hole",
      lastSeenVisibility: "contacts",
    });
  });

  it("changes several fields at once, trims them, and can clear about", async () => {
    const { token } = await register();
    await patch(token, { about: "busy" });
    const res = await patch(token, { displayName: "  Bob  ", about: "", lastSeenVisibility: "nobody" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ displayName: "Bob", about: "", lastSeenVisibility: "nobody" });
  });

  it("takes an empty object as no change", async () => {
    const { token } = await register();
    const before = await me(token);
    expect(await patch(token, {})).toEqual({ status: 200, body: before });
  });

  it("counts characters, not bytes or UTF-16 units, up to the limits", async () => {
    const { token } = await register();
    const name = "🦊".repeat(DISPLAY_NAME_MAX);
    const about = "é".repeat(ABOUT_MAX);
    expect((await patch(token, { displayName: name, about })).body).toMatchObject({ displayName: name, about });
  });

  it.each([
    [{ displayName: "" }, "invalid_field"],
    [{ displayName: "   " }, "invalid_field"],
    [{ displayName: "x".repeat(DISPLAY_NAME_MAX + 1) }, "invalid_field"],
    [{ displayName: "🦊".repeat(DISPLAY_NAME_MAX + 1) }, "invalid_field"],
    [{ displayName: "two\nlines" }, "invalid_field"],
    [{ displayName: "tab\there" }, "invalid_field"],
    [{ displayName: "nul\u0000" }, "invalid_field"],
    [{ displayName: 42 }, "invalid_field"],
    [{ displayName: null }, "invalid_field"],
    [{ about: "x".repeat(ABOUT_MAX + 1) }, "invalid_field"],
    [{ about: "line\u2028separator" }, "invalid_field"],
    [{ about: ["list"] }, "invalid_field"],
    [{ lastSeenVisibility: "friends" }, "invalid_field"],
    [{ lastSeenVisibility: null }, "invalid_field"],
    [{ username: "newname" }, "invalid_field"],
    [{ displayname: "typo" }, "invalid_field"],
    [{ displayName: "Fine", avatar: "http://x" }, "invalid_field"],
    [[{ displayName: "array" }], "invalid_body"],
    ['"a JSON string"', "invalid_body"],
    [null, "invalid_body"],
  ])("refuses %j with 400 %s and changes nothing", async (body, code) => {
    const { token } = await register();
    await patch(token, { displayName: "Before", about: "unchanged" });
    const before = await me(token);
    const res = await patch(token, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
    expect(await me(token)).toEqual(before);
  });

  it("refuses a body that is not JSON, and one that is too large", async () => {
    const { token } = await register();
    const before = await me(token);
    const broken = await api("/api/me", { method: "PATCH", token, body: "{displayName:" });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: { code: "invalid_json" } });
    const huge = await patch(token, { about: "x".repeat(20_000) });
    expect(huge).toMatchObject({ status: 413, body: { error: { code: "too_large" } } });
    expect(await me(token)).toEqual(before);
  });

  it("applies the same name rules at registration", async () => {
    const res = await api("/api/auth/register", {
      method: "POST",
      body: { username: uniqueName("reg"), password: "unusual-pass-123", displayName: "a\nb" },
    });
    expect(res.status).toBe(400);
    const ok = await api("/api/auth/register", {
      method: "POST",
      body: { username: uniqueName("reg"), password: "unusual-pass-123", displayName: "  Carol " },
    });
    expect(((await ok.json()) as { user: User }).user.displayName).toBe("Carol");
  });
});

describe("GET /api/users/:username", () => {
  it("answers the public profile, case-insensitively, without private settings", async () => {
    const alice = await register();
    await patch(alice.token, { about: "hello there", lastSeenVisibility: "nobody" });
    const bob = await register();
    const res = await api(`/api/users/${alice.user.username.toUpperCase()}`, { token: bob.token });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ...alice.user, about: "hello there" });
  });

  it("answers 404 unknown_user for nobody, and 401 without a token", async () => {
    const bob = await register();
    const res = await api("/api/users/no_such_user_here", { token: bob.token });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "unknown_user" } });
    expect((await api(`/api/users/${bob.user.username}`)).status).toBe(401);
  });
});

describe("GET /api/users?ids=", () => {
  it("answers the users asked for, in that order, leaving unknown ids out", async () => {
    const [a, b, c] = [await register(), await register(), await register()];
    const ids = [c.user.id, randomId(), a.user.id, c.user.id].join(",");
    const res = await api(`/api/users?ids=${ids}`, { token: b.token });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ users: [c.user, a.user] });
  });

  it.each([
    ["no ids", ""],
    ["empty ids", "?ids="],
    ["a malformed id", "?ids=not-an-id"],
    ["too many ids", `?ids=${Array.from({ length: USER_LOOKUP_MAX + 1 }, () => randomId()).join(",")}`],
  ])("refuses %s with 400 invalid_field", async (_, query) => {
    const { token } = await register();
    const res = await api(`/api/users${query}`, { token });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "invalid_field" } });
  });
});
