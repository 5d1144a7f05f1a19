import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { GroupObject } from "../../objects/group-object";
import { GROUPS_CREATED_PER_DAY } from "../../shared/limits";
import type { Group } from "../../shared/protocol";
import { clearAlarms, createGroup, errorCode, groupStub, historyOf, insertUsers, settle } from "../../test/groups";
import { api, register } from "../../test/helpers";

async function members(groupId: string) {
  return (await groupStub(groupId).stats()).members;
}

describe("POST /api/groups", { timeout: 30_000 }, () => {
  it("creates a group with the creator as admin, names included, and a created message for all", async () => {
    const alice = await register();
    const bob = await register();
    const res = await api("/api/groups", {
      method: "POST",
      token: alice.token,
      body: { name: "  Trip  ", members: [bob.user.id, bob.user.id, alice.user.id] },
    });
    expect(res.status).toBe(201);
    const group = (await res.json()) as Group;
    expect(group).toEqual({
      id: expect.stringMatching(/^[0-9a-z]{16}$/),
      name: "Trip",
      members: [
        { id: alice.user.id, role: "admin", displayName: alice.user.displayName },
        { id: bob.user.id, role: "member", displayName: bob.user.displayName },
      ],
    });
    await settle(group.id);
    for (const user of [alice.user.id, bob.user.id]) {
      const [created] = await historyOf(user, `g:${group.id}`);
      expect(created).toMatchObject({
        from: alice.user.id,
        text: "Trip",
        system: { event: "created", user: alice.user.id },
      });
    }
    const get = await api(`/api/groups/${group.id}`, { token: bob.token });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual(group);
    await clearAlarms([group.id]);
  });

  it.each([
    [{ name: "", members: [] }, 400, "invalid_field"],
    [{ name: "   ", members: [] }, 400, "invalid_field"],
    [{ name: "x".repeat(101), members: [] }, 400, "invalid_field"],
    [{ members: [] }, 400, "invalid_field"],
    [{ name: "ok", members: ["not-an-id"] }, 400, "invalid_field"],
    [{ name: "ok", members: ["zzzzzzzzzzzzzzzz"] }, 404, "unknown_user"],
    ["[]", 400, "invalid_body"],
    ["{nope", 400, "invalid_json"],
  ])("refuses %j with %i %s", async (body, status, code) => {
    const alice = await register();
    const res = await api("/api/groups", { method: "POST", token: alice.token, body });
    expect(res.status).toBe(status);
    expect(await errorCode(res)).toBe(code);
    // Nothing was made: the creator has no group chat at all.
    expect((await (await api("/api/chats", { token: alice.token })).json()) as unknown).toEqual({ chats: [] });
  });

  it("accepts a name of exactly 100 characters", async () => {
    const alice = await register();
    const group = await createGroup(alice.token, "n".repeat(100), []);
    expect(group.name).toHaveLength(100);
    await settle(group.id);
    await clearAlarms([group.id]);
  });

  it("refuses more than 1,024 members with 409 group_full", async () => {
    const alice = await register();
    const others = await insertUsers(1024);
    const res = await api("/api/groups", {
      method: "POST",
      token: alice.token,
      body: { name: "big", members: others },
    });
    expect(res.status).toBe(409);
    expect(await errorCode(res)).toBe("group_full");
    expect((await (await api("/api/chats", { token: alice.token })).json()) as unknown).toEqual({ chats: [] });
  });

  it("requires a token", async () => {
    const res = await api("/api/groups", { method: "POST", body: { name: "x", members: [] } });
    expect(res.status).toBe(401);
  });
});

describe("GET /api/groups/:id", { timeout: 30_000 }, () => {
  it("is for members only: 403 not_member for outsiders, 404 for unknown or malformed ids", async () => {
    const alice = await register();
    const eve = await register();
    const group = await createGroup(alice.token, "secret", []);
    const outsider = await api(`/api/groups/${group.id}`, { token: eve.token });
    expect(outsider.status).toBe(403);
    expect(await errorCode(outsider)).toBe("not_member");
    const unknown = await api("/api/groups/zzzzzzzzzzzzzzzz", { token: alice.token });
    expect(unknown.status).toBe(404);
    expect(await errorCode(unknown)).toBe("unknown_group");
    const malformed = await api("/api/groups/nope", { token: alice.token });
    expect(malformed.status).toBe(404);
    expect(await errorCode(malformed)).toBe("unknown_group");
    await settle(group.id);
    expect(await historyOf(eve.user.id, `g:${group.id}`)).toEqual([]);
    await clearAlarms([group.id]);
  });
});

describe("adding members", { timeout: 30_000 }, () => {
  it("admins add; the new member gets the added message and nothing from before", async () => {
    const alice = await register();
    const bob = await register();
    const group = await createGroup(alice.token, "g", []);
    const res = await api(`/api/groups/${group.id}/members`, {
      method: "POST",
      token: alice.token,
      body: { userId: bob.user.id },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Group).members).toEqual([
      expect.objectContaining({ id: alice.user.id, role: "admin" }),
      expect.objectContaining({ id: bob.user.id, role: "member", displayName: bob.user.displayName }),
    ]);
    await settle(group.id);
    const added = { event: "added", user: bob.user.id, by: alice.user.id };
    expect((await historyOf(bob.user.id, `g:${group.id}`)).map((m) => m.system)).toEqual([added]);
    expect((await historyOf(alice.user.id, `g:${group.id}`)).map((m) => m.system?.event)).toEqual(["created", "added"]);
    await clearAlarms([group.id]);
  });

  it("refuses bad adds with their codes and changes nothing", async () => {
    const alice = await register();
    const bob = await register();
    const carol = await register();
    const eve = await register();
    const group = await createGroup(alice.token, "g", [bob.user.id]);
    const add = (token: string, body: unknown) =>
      api(`/api/groups/${group.id}/members`, { method: "POST", token, body });
    const cases: [Response, number, string][] = [
      [await add(bob.token, { userId: carol.user.id }), 403, "forbidden"],
      [await add(eve.token, { userId: carol.user.id }), 403, "not_member"],
      [await add(alice.token, { userId: bob.user.id }), 409, "already_member"],
      [await add(alice.token, { userId: "zzzzzzzzzzzzzzzz" }), 404, "unknown_user"],
      [await add(alice.token, { userId: 7 }), 400, "invalid_field"],
      [
        await api("/api/groups/zzzzzzzzzzzzzzzz/members", {
          method: "POST",
          token: alice.token,
          body: { userId: carol.user.id },
        }),
        404,
        "unknown_group",
      ],
    ];
    for (const [res, status, code] of cases) {
      expect(res.status).toBe(status);
      expect(await errorCode(res)).toBe(code);
    }
    expect(await members(group.id)).toBe(2);
    await settle(group.id);
    expect((await groupStub(group.id).stats()).log).toBe(1);
    expect(await historyOf(carol.user.id, `g:${group.id}`)).toEqual([]);
    await clearAlarms([group.id]);
  });

  it("refuses the 1,025th member with 409 group_full", async () => {
    const alice = await register();
    const others = await insertUsers(1024);
    const group = await createGroup(alice.token, "big", others.slice(0, 1023));
    expect(group.members).toHaveLength(1024);
    // These accounts are bare rows: waking 1,024 user objects would only slow
    // the test down, so the fan-out confirms without delivering.
    await runInDurableObject(groupStub(group.id), (object: GroupObject) => {
      if (object.fanout) object.fanout.deliver = async () => ({ online: false });
    });
    const res = await api(`/api/groups/${group.id}/members`, {
      method: "POST",
      token: alice.token,
      body: { userId: others[1023] },
    });
    expect(res.status).toBe(409);
    expect(await errorCode(res)).toBe("group_full");
    expect(await members(group.id)).toBe(1024);
    await settle(group.id, 60_000);
    await clearAlarms([group.id]);
  });
});

describe("removing and leaving", { timeout: 30_000 }, () => {
  it("admins remove, members leave, with system messages; the last admin's leaving promotes the eldest", async () => {
    const alice = await register();
    const bob = await register();
    const carol = await register();
    const dave = await register();
    const group = await createGroup(alice.token, "g", [bob.user.id, carol.user.id, dave.user.id]);
    const remove = (token: string, userId: string) =>
      api(`/api/groups/${group.id}/members/${userId}`, { method: "DELETE", token });

    const removed = await remove(alice.token, dave.user.id);
    expect(removed.status).toBe(200);
    expect(((await removed.json()) as Group).members.map((m) => m.id)).toEqual([
      alice.user.id,
      bob.user.id,
      carol.user.id,
    ]);
    const left = await remove(alice.token, alice.user.id);
    expect(left.status).toBe(200);
    // Bob and carol joined together; bob was listed first, so he is the eldest.
    expect(((await left.json()) as Group).members).toEqual([
      expect.objectContaining({ id: bob.user.id, role: "admin" }),
      expect.objectContaining({ id: carol.user.id, role: "member" }),
    ]);
    expect((await remove(carol.token, carol.user.id)).status).toBe(200);
    await settle(group.id);

    const events = (await historyOf(bob.user.id, `g:${group.id}`)).map((m) => m.system);
    expect(events).toEqual([
      { event: "created", user: alice.user.id },
      { event: "removed", user: dave.user.id, by: alice.user.id },
      { event: "left", user: alice.user.id },
      { event: "left", user: carol.user.id },
    ]);
    // Those who went got their own leaving and nothing after it.
    expect((await historyOf(dave.user.id, `g:${group.id}`)).map((m) => m.system?.event)).toEqual([
      "created",
      "removed",
    ]);
    expect((await historyOf(alice.user.id, `g:${group.id}`)).map((m) => m.system?.event)).toEqual([
      "created",
      "removed",
      "left",
    ]);
    // And can no longer see the group.
    const gone = await api(`/api/groups/${group.id}`, { token: alice.token });
    expect(gone.status).toBe(403);
    expect(await errorCode(gone)).toBe("not_member");
    await clearAlarms([group.id]);
  });

  it("refuses bad removals with their codes and changes nothing", async () => {
    const alice = await register();
    const bob = await register();
    const carol = await register();
    const eve = await register();
    const group = await createGroup(alice.token, "g", [bob.user.id, carol.user.id]);
    const remove = (token: string, userId: string) =>
      api(`/api/groups/${group.id}/members/${userId}`, { method: "DELETE", token });
    const cases: [Response, number, string][] = [
      [await remove(bob.token, carol.user.id), 403, "forbidden"],
      [await remove(eve.token, carol.user.id), 403, "not_member"],
      [await remove(eve.token, eve.user.id), 403, "not_member"],
      [await remove(alice.token, eve.user.id), 404, "unknown_member"],
      [await remove(alice.token, "nope"), 404, "unknown_member"],
    ];
    for (const [res, status, code] of cases) {
      expect(res.status).toBe(status);
      expect(await errorCode(res)).toBe(code);
    }
    expect(await members(group.id)).toBe(3);
    expect((await groupStub(group.id).stats()).log).toBe(1);
    await settle(group.id);
    await clearAlarms([group.id]);
  });

  it("a member removed and added again gets the second span and not the gap", async () => {
    const alice = await register();
    const bob = await register();
    const group = await createGroup(alice.token, "g", [bob.user.id]);
    await api(`/api/groups/${group.id}/members/${bob.user.id}`, { method: "DELETE", token: alice.token });
    await api(`/api/groups/${group.id}/members`, { method: "POST", token: alice.token, body: { userId: bob.user.id } });
    await settle(group.id);
    expect((await historyOf(bob.user.id, `g:${group.id}`)).map((m) => m.system?.event)).toEqual([
      "created",
      "removed",
      "added",
    ]);
    await clearAlarms([group.id]);
  });
});

describe("groups created per user", () => {
  it("refuses the creation past the daily limit with too_many_groups, creating nothing", async () => {
    const { token } = await register();
    for (let i = 0; i < GROUPS_CREATED_PER_DAY; i++) {
      const res = await api("/api/groups", { method: "POST", token, body: { name: `g${i}`, members: [] } });
      expect(res.status).toBe(201);
    }
    const objectsBefore = (await listDurableObjectIds(env.GROUPS)).length;
    const res = await api("/api/groups", { method: "POST", token, body: { name: "one too many", members: [] } });
    expect(res.status).toBe(429);
    expect(await errorCode(res)).toBe("too_many_groups");
    expect((await listDurableObjectIds(env.GROUPS)).length).toBe(objectsBefore);
  }, 120_000);
});
