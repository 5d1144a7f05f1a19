// PUT /api/chats/:chat/mute (issue 18, part 4): mute for a time or always,
// unmute, kept in the user's object and listed by GET /api/chats on every
// device; bad input answered with a code and nothing stored.

import { describe, expect, it } from "vitest";
import { randomId } from "../../shared/ids";
import { MUTE_MAX_MS } from "../../shared/limits";
import type { ChatSummary } from "../../shared/protocol";
import { errorCode, settle, team } from "../../test/groups";
import { api, connect, register } from "../../test/helpers";

function mute(token: string, chat: string, body: unknown) {
  return api(`/api/chats/${chat}/mute`, { method: "PUT", token, body });
}

async function listed(token: string): Promise<ChatSummary[]> {
  return ((await (await api("/api/chats", { token })).json()) as { chats: ChatSummary[] }).chats;
}

async function mutedUntil(token: string, chat: string) {
  const summary = (await listed(token)).find((s) => s.chat === chat);
  expect(summary).toBeDefined();
  return summary?.mutedUntil;
}

describe("muting a chat", { timeout: 60_000 }, () => {
  it("mutes for a time and always, unmutes, and GET /api/chats says so", async () => {
    const alice = await register();
    const bob = await register();
    const a = await connect(alice.token);
    a.send({ type: "send", clientId: "m1", chat: `u:${bob.user.id}`, text: "hi" });
    await a.next("sent");
    const chat = `u:${bob.user.id}`;
    expect(await mutedUntil(alice.token, chat)).toBeUndefined();

    const until = Date.now() + 8 * 3600_000;
    const timed = await mute(alice.token, chat, { until });
    expect(timed.status).toBe(200);
    expect(await timed.json()).toEqual({ chat, mutedUntil: until });
    expect(await mutedUntil(alice.token, chat)).toBe(until);

    const always = await mute(alice.token, chat, { until: "always" });
    expect(await always.json()).toEqual({ chat, mutedUntil: "always" });
    expect(await mutedUntil(alice.token, chat)).toBe("always");
    // Bob's side is his own: not muted.
    for (let i = 0; i < 100 && !(await listed(bob.token)).length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await mutedUntil(bob.token, `u:${alice.user.id}`)).toBeUndefined();

    const unmuted = await mute(alice.token, chat, { until: null });
    expect(await unmuted.json()).toEqual({ chat, mutedUntil: null });
    expect(await mutedUntil(alice.token, chat)).toBeUndefined();
    a.close();
  });

  it("mutes a group for its members only: 403 not_member for others and for no such group", async () => {
    const { admin, group, chat } = await team(2);
    const outsider = await register();
    await settle(group.id);
    const res = await mute(admin.token, chat, { until: "always" });
    expect(await res.json()).toEqual({ chat, mutedUntil: "always" });
    for (const target of [chat, `g:${randomId()}`]) {
      const refused = await mute(outsider.token, target, { until: "always" });
      expect(refused.status).toBe(403);
      expect(await errorCode(refused)).toBe("not_member");
    }
    expect(await listed(outsider.token)).toEqual([]);
  });

  it("refuses bad input with a code and stores nothing", async () => {
    const alice = await register();
    const bob = await register();
    const a = await connect(alice.token);
    const chat = `u:${bob.user.id}`;
    a.send({ type: "send", clientId: "m1", chat, text: "hi" });
    await a.next("sent");
    const now = Date.now();
    const bad: [unknown, string][] = [
      [{}, "invalid_field"],
      [{ until: "never" }, "invalid_field"],
      [{ until: "8h" }, "invalid_field"],
      [{ until: true }, "invalid_field"],
      [{ until: 1.5 + now + 60_000 }, "invalid_field"],
      [{ until: now - 1000 }, "invalid_field"],
      [{ until: now + MUTE_MAX_MS + 60_000 }, "invalid_field"],
      [{ until: { ms: 1 } }, "invalid_field"],
      [{ until: "always", extra: 1 }, "invalid_field"],
      [[], "invalid_body"],
    ];
    for (const [body, code] of bad) {
      const res = await mute(alice.token, chat, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await errorCode(res)).toBe(code);
    }
    const notJson = await api(`/api/chats/${chat}/mute`, { method: "PUT", token: alice.token, body: "{" });
    expect(notJson.status).toBe(400);
    const badChat = await mute(alice.token, "x:1", { until: "always" });
    expect(badChat.status).toBe(400);
    expect(await errorCode(badChat)).toBe("invalid_chat");
    const ghost = await mute(alice.token, `u:${randomId()}`, { until: "always" });
    expect(ghost.status).toBe(404);
    expect(await errorCode(ghost)).toBe("unknown_user");
    const noToken = await api(`/api/chats/${chat}/mute`, { method: "PUT", body: { until: "always" } });
    expect(noToken.status).toBe(401);
    // Nothing of it was stored.
    expect(await mutedUntil(alice.token, chat)).toBeUndefined();
    a.close();
  });
});
