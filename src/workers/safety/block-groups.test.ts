// Blocking holds through groups (issue 21, row 1) and for the picture (row 4):
// no one is put into a group by someone they blocked, at creation or later,
// with the answer a privacy refusal gives (403 not_allowed, naming no one);
// a blocked user's typing and presence in a shared group reach no device of
// the blocker, while its group messages still do (as in WhatsApp); the
// picture's bare URL serves only with the token of someone not blocked.

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Group, Me } from "../../shared/protocol";
import { sendAndWait } from "../../test/actions";
import { clearAlarms, createGroup, errorCode, historyOf, settle } from "../../test/groups";
import { api, BASE, connect, register } from "../../test/helpers";
import { PNG } from "../../test/images";
import { presenceOf } from "../../test/presence-helpers";

function block(token: string, userId: string) {
  return api("/api/me/blocked", { method: "POST", token, body: { userId } });
}

async function groupChats(token: string): Promise<string[]> {
  const res = await api("/api/chats", { token });
  const { chats } = (await res.json()) as { chats: { chat: string }[] };
  return chats.map((c) => c.chat).filter((c) => c.startsWith("g:"));
}

describe("blocking through groups", { timeout: 30_000 }, () => {
  it("a blocked user cannot put the blocker into a new group: 403 not_allowed, nothing created", async () => {
    const alice = await register();
    const carol = await register();
    const bob = await register();
    expect((await block(alice.token, carol.user.id)).status).toBe(200);
    const a = await connect(alice.token);

    const refused = await api("/api/groups", {
      method: "POST",
      token: carol.token,
      body: { name: "trap", members: [bob.user.id, alice.user.id] },
    });
    expect(refused.status).toBe(403);
    expect(await errorCode(refused)).toBe("not_allowed");
    // The answer names no one and says nothing of a block.
    const text = JSON.stringify(
      await api("/api/groups", {
        method: "POST",
        token: carol.token,
        body: { name: "x", members: [alice.user.id] },
      }).then((r) => r.json()),
    );
    expect(text).not.toContain(alice.user.id);
    expect(text).not.toMatch(/block/i);
    // Nothing was created: no group in anyone's chats, no `created` on alice's socket.
    expect(await groupChats(carol.token)).toEqual([]);
    expect(await groupChats(bob.token)).toEqual([]);
    expect(await groupChats(alice.token)).toEqual([]);
    expect(a.of("message")).toEqual([]);
    // Without alice it works (the refusal was about her only).
    const ok = await createGroup(carol.token, "fine", [bob.user.id]);
    expect(ok.members.map((m) => m.id).sort()).toEqual([carol.user.id, bob.user.id].sort());
    a.close();
    await clearAlarms([ok.id]);
  });

  it("nor add her later, after she left; unblocking allows it again", async () => {
    const alice = await register();
    const carol = await register();
    const group = await createGroup(carol.token, "before", [alice.user.id]);
    expect((await block(alice.token, carol.user.id)).status).toBe(200);
    const left = await api(`/api/groups/${group.id}/members/${alice.user.id}`, {
      method: "DELETE",
      token: alice.token,
    });
    expect(left.status).toBe(200);

    const again = await api(`/api/groups/${group.id}/members`, {
      method: "POST",
      token: carol.token,
      body: { userId: alice.user.id },
    });
    expect(again.status).toBe(403);
    expect(await errorCode(again)).toBe("not_allowed");
    const now = (await (await api(`/api/groups/${group.id}`, { token: carol.token })).json()) as Group;
    expect(now.members.map((m) => m.id)).toEqual([carol.user.id]);

    await api(`/api/me/blocked/${carol.user.id}`, { method: "DELETE", token: alice.token });
    const back = await api(`/api/groups/${group.id}/members`, {
      method: "POST",
      token: carol.token,
      body: { userId: alice.user.id },
    });
    expect(back.status).toBe(200);
    await settle(group.id);
    await clearAlarms([group.id]);
  });

  it("in a shared group, the blocked user's typing and presence reach no device of the blocker; its messages do", async () => {
    const alice = await register();
    const carol = await register();
    const bob = await register();
    const group = await createGroup(bob.token, "shared", [alice.user.id, carol.user.id]);
    const a = await connect(alice.token);
    const b = await connect(bob.token);
    const c = await connect(carol.token);
    a.send({ type: "subscribe", users: [carol.user.id] });
    await a.next("presence", (f) => f.user === carol.user.id && f.online);

    expect((await block(alice.token, carol.user.id)).status).toBe(200);
    // Alice's devices stop seeing carol at once; the HTTP view says the same.
    await a.next("presence", (f) => f.user === carol.user.id && !f.online && f.lastSeen === null);
    expect(await presenceOf(carol.user.id, alice.token)).toEqual({ online: false, lastSeen: null });
    expect((await presenceOf(carol.user.id, bob.token)).online).toBe(true);

    c.send({ type: "typing", chat: `g:${group.id}` });
    await b.next("typing", (f) => f.from === carol.user.id);
    // Bob's typing, sent after carol's, reaches alice: carol's would have come first.
    b.send({ type: "typing", chat: `g:${group.id}` });
    await a.next("typing", (f) => f.from === bob.user.id);
    expect(a.of("typing").map((f) => f.from)).toEqual([bob.user.id]);

    // Group messages of a blocked user still arrive (WhatsApp shows them too).
    const sent = await sendAndWait(c, `g:${group.id}`, "still in the group", "c1");
    await a.next("message", (f) => f.message.id === sent.id);
    await settle(group.id);
    expect((await historyOf(alice.user.id, `g:${group.id}`)).map((m) => m.id)).toContain(sent.id);
    for (const s of [a, b, c]) s.close();
    await clearAlarms([group.id], [alice.user.id, bob.user.id, carol.user.id]);
  });
});

describe("the picture follows the block", () => {
  it("without a token only the current version serves it; with a token, whoever is not blocked", async () => {
    const alice = await register();
    const carol = await register();
    const bob = await register();
    const put = await exports.default.fetch(
      new Request(`${BASE}/api/me/avatar`, {
        method: "PUT",
        headers: { Authorization: `Bearer ${alice.token}` },
        body: PNG,
      }),
    );
    const me = (await put.json()) as Me;
    const bare = `${BASE}/api/users/${alice.user.id}/avatar`;
    const get = (url: string, token?: string) =>
      exports.default.fetch(new Request(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} }));
    const statusOf = async (url: string, token?: string) => {
      const res = await get(url, token);
      await res.body?.cancel();
      return res.status;
    };
    expect((await block(alice.token, carol.user.id)).status).toBe(200);

    // No token, no version: nothing (the same 404 as no picture at all).
    expect(await statusOf(bare)).toBe(404);
    expect(await statusOf(`${bare}?v=wrong0000000000`)).toBe(404);
    // Nor `If-None-Match: *`, which names no version: before, it answered 304 with the
    // current version in its ETag, and `?v=` with that served the picture to anyone.
    for (const tag of ["*", 'W/"*"', '"wrong", *']) {
      const probe = await exports.default.fetch(new Request(bare, { headers: { "If-None-Match": tag } }));
      await probe.body?.cancel();
      expect(probe.status, tag).toBe(404);
      expect(probe.headers.get("ETag"), tag).toBeNull();
    }
    // The blocked user, with its token: nothing, bare or with the version.
    expect(await statusOf(bare, carol.token)).toBe(404);
    expect(await statusOf(`${BASE}${me.avatar}`, carol.token)).toBe(404);
    // Its profile of alice has no picture, so it has no URL to ask with.
    const seen = await (await api(`/api/users/${alice.user.username}`, { token: carol.token })).json();
    expect(seen).not.toHaveProperty("avatar");
    // Someone allowed: the URL from the profile works in an <img> (no token), and the bare one with a token.
    const profile = (await (await api(`/api/users/${alice.user.username}`, { token: bob.token })).json()) as Me;
    expect(profile.avatar).toBe(me.avatar);
    expect(await statusOf(`${BASE}${profile.avatar}`)).toBe(200);
    expect(await statusOf(bare, bob.token)).toBe(200);
    expect(await statusOf(bare, alice.token)).toBe(200);
  });
});
