import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { AVATAR_MAX_BYTES, GROUP_DESCRIPTION_MAX } from "../../shared/limits";
import type { Group } from "../../shared/protocol";
import { clearAlarms, errorCode, historyOf, settle, team } from "../../test/groups";
import { api, register } from "../../test/helpers";
import { oversizedPng, PNG, TEXT_AS_PNG, WEBP } from "../../test/images";

async function groupAs(token: string, id: string): Promise<Group> {
  const res = await api(`/api/groups/${id}`, { token });
  expect(res.status).toBe(200);
  return res.json();
}

/** The group's system entries as a member's history has them: [event, text]. */
async function notices(userId: string, groupId: string): Promise<[string, string][]> {
  await settle(groupId);
  const history = await historyOf(userId, `g:${groupId}`);
  return history.flatMap((m) => (m.system ? [[m.system.event, m.text] as [string, string]] : []));
}

async function objectsUnder(prefix: string): Promise<string[]> {
  return (await env.AVATARS.list({ prefix })).objects.map((o) => o.key);
}

describe("PATCH /api/groups/:id", { timeout: 30_000 }, () => {
  it("admins rename and describe; every member gets the system entries in order", async () => {
    const { admin, rest, group } = await team(2);
    const [member] = rest;
    const res = await api(`/api/groups/${group.id}`, {
      method: "PATCH",
      token: admin.token,
      body: { name: "  Hiking club ", description: "Sundays, 9:00 at the station" },
    });
    expect(res.status).toBe(200);
    const changed = (await res.json()) as Group;
    expect(changed).toMatchObject({ id: group.id, name: "Hiking club", description: "Sundays, 9:00 at the station" });
    expect(await groupAs(member?.token ?? "", group.id)).toEqual(changed);
    // The same values again change nothing and add no entry; "" clears the description.
    await api(`/api/groups/${group.id}`, { method: "PATCH", token: admin.token, body: { name: "Hiking club" } });
    const cleared = await api(`/api/groups/${group.id}`, {
      method: "PATCH",
      token: admin.token,
      body: { description: "" },
    });
    expect(await cleared.json()).not.toHaveProperty("description");
    for (const user of [admin, member]) {
      expect(await notices(user?.user.id ?? "", group.id)).toEqual([
        ["created", "team"],
        ["renamed", "Hiking club"],
        ["described", "Sundays, 9:00 at the station"],
        ["described", ""],
      ]);
    }
    const [renamed] = (await historyOf(member?.user.id ?? "", `g:${group.id}`)).filter(
      (m) => m.system?.event === "renamed",
    );
    expect(renamed).toMatchObject({
      from: admin.user.id,
      system: { event: "renamed", user: admin.user.id, by: admin.user.id },
    });
    await clearAlarms([group.id]);
  });

  it.each([
    [{ name: "" }, "invalid_field"],
    [{ name: "   " }, "invalid_field"],
    [{ name: "x".repeat(101) }, "invalid_field"],
    [{ name: "line\nbreak" }, "invalid_field"],
    [{ name: "tab\there" }, "invalid_field"],
    [{ name: "\u202Eevil" }, "invalid_field"],
    [{ description: "d".repeat(GROUP_DESCRIPTION_MAX + 1) }, "invalid_field"],
    [{ description: "two\nlines" }, "invalid_field"],
    [{ name: null }, "invalid_field"],
    [{ name: "ok", members: [] }, "invalid_field"],
    ["[]", "invalid_body"],
  ])("refuses %j with 400 %s and changes nothing", async (body, code) => {
    const { admin, group } = await team(1);
    const res = await api(`/api/groups/${group.id}`, { method: "PATCH", token: admin.token, body });
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe(code);
    expect(await groupAs(admin.token, group.id)).toEqual(group);
    expect(await notices(admin.user.id, group.id)).toEqual([["created", "team"]]);
    await clearAlarms([group.id]);
  });

  it("members get forbidden, outsiders not_member, unknown groups unknown_group; nothing changes", async () => {
    const { admin, rest, group } = await team(2);
    const outsider = await register();
    const cases: [string, string, number, string][] = [
      [rest[0]?.token ?? "", group.id, 403, "forbidden"],
      [outsider.token, group.id, 403, "not_member"],
      [admin.token, "zzzzzzzzzzzzzzzz", 404, "unknown_group"],
      [admin.token, "not-an-id", 404, "unknown_group"],
    ];
    for (const [token, id, status, code] of cases) {
      const res = await api(`/api/groups/${id}`, { method: "PATCH", token, body: { name: "taken over" } });
      expect([res.status, await errorCode(res)]).toEqual([status, code]);
    }
    expect(await groupAs(admin.token, group.id)).toEqual(group);
    expect(await notices(admin.user.id, group.id)).toEqual([["created", "team"]]);
    await clearAlarms([group.id]);
  });
});

describe("PUT, GET, DELETE /api/groups/:id/picture", { timeout: 30_000 }, () => {
  it("an admin sets the picture: members load it, at its versioned URL without a token too", async () => {
    const { admin, rest, group } = await team(2);
    const [member] = rest;
    const outsider = await register();
    const put = await api(`/api/groups/${group.id}/picture`, { method: "PUT", token: admin.token, body: PNG });
    expect(put.status).toBe(200);
    const { picture } = (await put.json()) as Group;
    expect(picture).toMatch(new RegExp(`^/api/groups/${group.id}/picture\\?v=[0-9a-z]{16}$`));
    expect((await groupAs(member?.token ?? "", group.id)).picture).toBe(picture);

    const anonymous = await api(picture ?? "");
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get("Content-Type")).toBe("image/png");
    expect(anonymous.headers.get("Cache-Control")).toContain("immutable");
    expect(new Uint8Array(await anonymous.arrayBuffer())).toEqual(PNG);
    const bare = `/api/groups/${group.id}/picture`;
    expect((await api(bare, { token: member?.token })).status).toBe(200);
    const refused = await api(bare, { token: outsider.token });
    expect([refused.status, await errorCode(refused)]).toEqual([403, "not_member"]);
    expect((await api(bare)).status).toBe(401);
    expect((await api(`${bare}?v=aaaaaaaaaaaaaaaa`)).status).toBe(404);

    // A new picture replaces the old one: the old URL is gone, its object deleted.
    const again = await api(`/api/groups/${group.id}/picture`, { method: "PUT", token: admin.token, body: WEBP });
    const second = ((await again.json()) as Group).picture;
    expect(second).not.toBe(picture);
    expect((await api(picture ?? "")).status).toBe(404);
    expect(await objectsUnder(`groups/${group.id}/`)).toHaveLength(1);

    const removed = await api(`/api/groups/${group.id}/picture`, { method: "DELETE", token: admin.token });
    expect(removed.status).toBe(200);
    expect(await removed.json()).not.toHaveProperty("picture");
    expect((await api(second ?? "")).status).toBe(404);
    expect(await objectsUnder(`groups/${group.id}/`)).toEqual([]);
    expect((await notices(member?.user.id ?? "", group.id)).map(([event]) => event)).toEqual([
      "created",
      "pictured",
      "pictured",
      "unpictured",
    ]);
    await clearAlarms([group.id]);
  });

  it("refuses what is not an image, too large, empty, or from a non-admin; the picture stays", async () => {
    const { admin, rest, group } = await team(2);
    const outsider = await register();
    const put = await api(`/api/groups/${group.id}/picture`, { method: "PUT", token: admin.token, body: PNG });
    const before = (await put.json()) as Group;
    const cases: [string, Uint8Array, number, string][] = [
      [admin.token, TEXT_AS_PNG, 415, "unsupported_media"],
      [admin.token, oversizedPng(AVATAR_MAX_BYTES + 1), 413, "too_large"],
      [admin.token, new Uint8Array(0), 400, "invalid_body"],
      [rest[0]?.token ?? "", WEBP, 403, "forbidden"],
      [outsider.token, WEBP, 403, "not_member"],
    ];
    for (const [token, body, status, code] of cases) {
      const res = await api(`/api/groups/${group.id}/picture`, {
        method: "PUT",
        token,
        body,
        headers: { "Content-Type": "image/png" },
      });
      expect([res.status, await errorCode(res)]).toEqual([status, code]);
    }
    const del = await api(`/api/groups/${group.id}/picture`, { method: "DELETE", token: rest[0]?.token });
    expect([del.status, await errorCode(del)]).toEqual([403, "forbidden"]);
    const unknown = await api("/api/groups/zzzzzzzzzzzzzzzz/picture", { method: "PUT", token: admin.token, body: PNG });
    expect([unknown.status, await errorCode(unknown)]).toEqual([404, "unknown_group"]);

    expect(await groupAs(admin.token, group.id)).toEqual(before);
    expect(new Uint8Array(await (await api(before.picture ?? "")).arrayBuffer())).toEqual(PNG);
    expect(await objectsUnder(`groups/${group.id}/`)).toHaveLength(1);
    expect(await objectsUnder("groups/zzzzzzzzzzzzzzzz/")).toEqual([]);
    expect((await notices(admin.user.id, group.id)).map(([event]) => event)).toEqual(["created", "pictured"]);
    await clearAlarms([group.id]);
  });
});
