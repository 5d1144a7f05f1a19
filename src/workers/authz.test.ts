// The authorization matrix: every HTTP route and every frame, against every
// kind of caller, as one table. The first test compares the table with the
// router's own list of routes, so a new route cannot land without its row.
//
// Callers: the group's admin (also the creator and "owner" of what it made),
// a member, a removed member, an outsider (another user with no tie to the
// group), and no token at all. Resources owned by a user and addressed
// through the token (/api/me, one's own mailbox) cannot be reached as another
// user: the token picks them.

import { beforeAll, describe, expect, it } from "vitest";
import type { AuthAnswer } from "../shared/protocol";
import { clearAlarms, createGroup, settle } from "../test/groups";
import { api, connect, register, userStub } from "../test/helpers";
import { app } from "./app";

// The smallest valid PNG: a 1x1 transparent pixel.
const TINY_PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);

type Caller = "admin" | "member" | "removed" | "outsider" | "anonymous";
const CALLERS: Caller[] = ["admin", "member", "removed", "outsider", "anonymous"];

interface World {
  users: Record<Exclude<Caller, "anonymous">, AuthAnswer>;
  groupId: string;
  /** A message the admin sent to the group after the removal. */
  messageId: string;
}

/** The session id inside a token (its `sid` claim). */
function sessionOf(token: string): string {
  const payload = token.split(".")[1] ?? "";
  return (JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { sid: string }).sid;
}

interface Row {
  method: string;
  /** The route as the router knows it. */
  route: string;
  /** The concrete request for one world. */
  path: (w: World) => string;
  body?: (w: World) => unknown;
  expect: Record<Caller, number>;
  /** Needs a world of its own per caller (the call changes membership). */
  fresh?: boolean;
}

const ROWS: Row[] = [
  {
    method: "GET",
    route: "/api/health",
    path: () => "/api/health",
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 200 },
  },
  {
    // Operators only: the user ids in ADMIN_USER_IDS, which lists nobody here.
    method: "GET",
    route: "/api/admin/users/:id/stats",
    path: (w) => `/api/admin/users/${w.users.member.user.id}/stats`,
    expect: { admin: 403, member: 403, removed: 403, outsider: 403, anonymous: 401 },
  },
  {
    method: "POST",
    route: "/api/auth/register",
    path: () => "/api/auth/register",
    body: () => ({ username: `m${Math.random().toString(36).slice(2, 12)}`, password: "unusual-pass-123" }),
    expect: { admin: 201, member: 201, removed: 201, outsider: 201, anonymous: 201 },
  },
  {
    method: "POST",
    route: "/api/auth/login",
    path: () => "/api/auth/login",
    body: (w) => ({ username: w.users.member.user.username, password: "correct horse battery" }),
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 200 },
    // Five more logins of one user would log out its oldest session (at most 5 per user).
    fresh: true,
  },
  {
    method: "POST",
    route: "/api/auth/logout",
    path: () => "/api/auth/logout",
    expect: { admin: 204, member: 204, removed: 204, outsider: 204, anonymous: 401 },
    fresh: true,
  },
  {
    method: "GET",
    route: "/api/me",
    path: () => "/api/me",
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    method: "PATCH",
    route: "/api/me",
    path: () => "/api/me",
    body: () => ({ about: "hello" }),
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    method: "GET",
    route: "/api/users/:username",
    path: (w) => `/api/users/${w.users.member.user.username}`,
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    // Anyone may ask; the owner's lastSeenVisibility decides what the answer shows (user/subscriptions.test.ts).
    method: "GET",
    route: "/api/users/:id/presence",
    path: (w) => `/api/users/${w.users.member.user.id}/presence`,
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    method: "GET",
    route: "/api/users",
    path: (w) => `/api/users?ids=${w.users.member.user.id}`,
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    // One's own picture only: the token picks whose.
    method: "PUT",
    route: "/api/me/avatar",
    path: () => "/api/me/avatar",
    body: () => TINY_PNG,
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    method: "DELETE",
    route: "/api/me/avatar",
    path: () => "/api/me/avatar",
    expect: { admin: 204, member: 204, removed: 204, outsider: 204, anonymous: 401 },
  },
  {
    // Public by design (an <img> cannot send a token); the member has no picture in this world.
    method: "GET",
    route: "/api/users/:id/avatar",
    path: (w) => `/api/users/${w.users.member.user.id}/avatar`,
    expect: { admin: 404, member: 404, removed: 404, outsider: 404, anonymous: 404 },
  },
  {
    // Searches only the caller's own mailbox (isolation is tested in search.test.ts).
    method: "GET",
    route: "/api/search",
    path: () => "/api/search?q=hello",
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    method: "GET",
    route: "/api/chats",
    path: () => "/api/chats",
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    // Everyone reads only their own mailbox: an outsider's page is empty (checked below).
    method: "GET",
    route: "/api/chats/:chat/messages",
    path: (w) => `/api/chats/g:${w.groupId}/messages`,
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    method: "GET",
    route: "/ws",
    path: () => "/ws",
    expect: { admin: 101, member: 101, removed: 101, outsider: 101, anonymous: 401 },
  },
  {
    method: "POST",
    route: "/api/groups",
    path: () => "/api/groups",
    body: (w) => ({ name: "another", members: [w.users.member.user.id] }),
    expect: { admin: 201, member: 201, removed: 201, outsider: 201, anonymous: 401 },
  },
  {
    method: "GET",
    route: "/api/groups/:id",
    path: (w) => `/api/groups/${w.groupId}`,
    expect: { admin: 200, member: 200, removed: 403, outsider: 403, anonymous: 401 },
  },
  {
    method: "POST",
    route: "/api/groups/:id/members",
    path: (w) => `/api/groups/${w.groupId}/members`,
    body: (w) => ({ userId: w.users.outsider.user.id }),
    expect: { admin: 200, member: 403, removed: 403, outsider: 403, anonymous: 401 },
    fresh: true,
  },
  {
    // Message info: only the sender; those without the message in their mailbox get 404.
    method: "GET",
    route: "/api/chats/:chat/messages/:id/receipts",
    path: (w) => `/api/chats/g:${w.groupId}/messages/${w.messageId}/receipts`,
    expect: { admin: 200, member: 403, removed: 404, outsider: 404, anonymous: 401 },
  },
  {
    method: "GET",
    route: "/api/me/blocked",
    path: () => "/api/me/blocked",
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    // Blocking the outsider: anyone may, except the outsider itself (400).
    method: "POST",
    route: "/api/me/blocked",
    path: () => "/api/me/blocked",
    body: (w) => ({ userId: w.users.outsider.user.id }),
    expect: { admin: 200, member: 200, removed: 200, outsider: 400, anonymous: 401 },
    fresh: true,
  },
  {
    method: "DELETE",
    route: "/api/me/blocked/:userId",
    path: (w) => `/api/me/blocked/${w.users.outsider.user.id}`,
    expect: { admin: 204, member: 204, removed: 204, outsider: 204, anonymous: 401 },
  },
  {
    method: "GET",
    route: "/api/me/sessions",
    path: () => "/api/me/sessions",
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    // Logging out the member's session remotely: only the member (others get 404, as for no such session).
    method: "DELETE",
    route: "/api/me/sessions/:id",
    path: (w) => `/api/me/sessions/${sessionOf(w.users.member.token)}`,
    expect: { admin: 404, member: 204, removed: 404, outsider: 404, anonymous: 401 },
    fresh: true,
  },
  {
    // Removing the member: the admin may, the member itself may (leaving), nobody else.
    method: "DELETE",
    route: "/api/groups/:id/members/:userId",
    path: (w) => `/api/groups/${w.groupId}/members/${w.users.member.user.id}`,
    expect: { admin: 200, member: 200, removed: 403, outsider: 403, anonymous: 401 },
    fresh: true,
  },
];

async function newWorld(): Promise<World> {
  const [admin, member, removed, outsider] = await Promise.all([register(), register(), register(), register()]);
  const users = { admin, member, removed, outsider } as World["users"];
  const group = await createGroup(admin.token, "matrix", [member.user.id, removed.user.id]);
  const res = await api(`/api/groups/${group.id}/members/${removed.user.id}`, { method: "DELETE", token: admin.token });
  if (res.status !== 200) throw new Error(`setup: remove failed ${res.status}`);
  const socket = await connect(admin.token);
  socket.send({ type: "send", clientId: "world", chat: `g:${group.id}`, text: "after the removal" });
  const sent = await socket.next("sent");
  socket.close();
  await settle(group.id);
  return { users, groupId: group.id, messageId: sent.id };
}

async function call(row: Row, world: World, caller: Caller): Promise<number> {
  const token = caller === "anonymous" ? undefined : world.users[caller].token;
  const headers: Record<string, string> = row.route === "/ws" ? { Upgrade: "websocket" } : {};
  const path = row.route === "/ws" && token ? `/ws?token=${token}` : row.path(world);
  const res = await api(path, { method: row.method, token, body: row.body?.(world), headers });
  if (res.webSocket) {
    res.webSocket.accept();
    res.webSocket.close(1000, "done");
  }
  return res.status;
}

describe("authorization matrix", { timeout: 120_000 }, () => {
  let world: World;
  beforeAll(async () => {
    world = await newWorld();
  });

  it("has a row for every route the router serves", () => {
    const served = new Set(
      app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path.replace(/\/$/, "") || "/"}`),
    );
    const covered = new Set(ROWS.map((r) => `${r.method} ${r.route}`));
    expect([...served].filter((r) => !covered.has(r)).sort()).toEqual([]);
    expect([...covered].filter((r) => !served.has(r)).sort()).toEqual([]);
  });

  for (const row of ROWS) {
    it(`${row.method} ${row.route}`, async () => {
      const got: Partial<Record<Caller, number>> = {};
      for (const caller of CALLERS) got[caller] = await call(row, row.fresh ? await newWorld() : world, caller);
      expect(got).toEqual(row.expect);
    });
  }

  it("an outsider's and a removed member's reads show nothing of the group after their time", async () => {
    const { admin, outsider, removed } = world.users;
    const a = await connect(admin.token);
    a.send({ type: "send", clientId: "after-removal", chat: `g:${world.groupId}`, text: "members only" });
    await a.next("sent");
    await settle(world.groupId);
    for (const who of [outsider, removed]) {
      const history = await userStub(who.user.id).history(`g:${world.groupId}`, undefined, 100);
      expect(history.map((m) => m.text)).not.toContain("members only");
    }
    expect(await userStub(outsider.user.id).history(`g:${world.groupId}`, undefined, 100)).toEqual([]);
    a.close();
    await clearAlarms(
      [world.groupId],
      Object.values(world.users).map((u) => u.user.id),
    );
  });
});

describe("frame matrix", { timeout: 120_000 }, () => {
  it("sends to the group: members only; one-to-one: any user", async () => {
    const world = await newWorld();
    const expected: Record<Exclude<Caller, "anonymous">, { group: string; direct: string }> = {
      admin: { group: "sent", direct: "sent" },
      member: { group: "sent", direct: "sent" },
      removed: { group: "not_member", direct: "sent" },
      outsider: { group: "not_member", direct: "sent" },
    };
    for (const [caller, want] of Object.entries(expected) as [
      keyof typeof expected,
      { group: string; direct: string },
    ][]) {
      const me = world.users[caller];
      const socket = await connect(me.token);
      const before = (await userStub(me.user.id).stats()).messages;
      socket.send({ type: "send", clientId: `${caller}-g`, chat: `g:${world.groupId}`, text: "to the group" });
      socket.send({ type: "send", clientId: `${caller}-d`, chat: `u:${world.users.admin.user.id}`, text: "direct" });
      await socket.until((s) => s.of("sent").length + s.of("error").length === 2, 10_000);
      const outcome = (clientId: string) =>
        socket.of("sent").some((f) => f.clientId === clientId)
          ? "sent"
          : socket.of("error").find((e) => e.clientId === clientId)?.code;
      expect({ caller, group: outcome(`${caller}-g`), direct: outcome(`${caller}-d`) }).toEqual({ caller, ...want });
      const stored = (await userStub(me.user.id).stats()).messages - before;
      expect(stored).toBe(socket.of("sent").length);
      socket.close();
    }
    await settle(world.groupId);
    await clearAlarms(
      [world.groupId],
      Object.values(world.users).map((u) => u.user.id),
    );
  });

  it("typing to the group: members only, relayed to the others; the rest get not_member and nobody sees it", async () => {
    const world = await newWorld();
    // A third member watches the group; it pings, or the 2 s presence sweep of these tests drops it.
    const watcherUser = await register();
    const add = await api(`/api/groups/${world.groupId}/members`, {
      method: "POST",
      token: world.users.admin.token,
      body: { userId: watcherUser.user.id },
    });
    expect(add.status).toBe(200);
    const watcher = await connect(watcherUser.token);
    const keepAlive = setInterval(() => watcher.send("ping"), 500);
    const expected: Record<Exclude<Caller, "anonymous">, string> = {
      admin: "relayed",
      member: "relayed",
      removed: "not_member",
      outsider: "not_member",
    };
    for (const [caller, want] of Object.entries(expected) as [keyof typeof expected, string][]) {
      const me = world.users[caller];
      const socket = await connect(me.token);
      socket.send({ type: "typing", chat: `g:${world.groupId}` });
      const relayed = () => watcher.of("typing").some((f) => f.from === me.user.id);
      await socket.until((s) => s.of("error").length > 0 || relayed(), 5000).catch(() => undefined);
      if (want === "relayed") await watcher.until(relayed, 5000);
      const outcome = relayed() ? "relayed" : socket.of("error")[0]?.code;
      expect({ caller, outcome }).toEqual({ caller, outcome: want });
      socket.close();
    }
    clearInterval(keepAlive);
    watcher.close();
    await settle(world.groupId);
    await clearAlarms([world.groupId], [...Object.values(world.users).map((u) => u.user.id), watcherUser.user.id]);
  });

  it("edit and delete for everyone of the admin's group message: its author only; others get a code, nothing changes", async () => {
    const world = await newWorld();
    const chat = `g:${world.groupId}` as const;
    // The author last, so that the message is still there for the refusals before it.
    const expected: [Exclude<Caller, "anonymous">, { edit: string; delete: string }][] = [
      ["member", { edit: "not_your_message", delete: "not_your_message" }],
      ["removed", { edit: "unknown_message", delete: "unknown_message" }],
      ["outsider", { edit: "unknown_message", delete: "unknown_message" }],
      ["admin", { edit: "update", delete: "update" }],
    ];
    for (const [caller, want] of expected) {
      const me = world.users[caller];
      const socket = await connect(me.token);
      socket.send({ type: "edit", clientId: `${caller}-e`, id: world.messageId, text: `edited by ${caller}` });
      socket.send({ type: "delete", clientId: `${caller}-x`, id: world.messageId, for: "everyone" });
      const answer = (clientId: string) =>
        socket.of("error").find((e) => e.clientId === clientId)?.code ??
        (socket.of("update").some((f) => f.clientId === clientId) ? "update" : undefined) ??
        (socket.of("removed").some((f) => f.clientId === clientId) ? "removed" : undefined);
      await socket.until(() => answer(`${caller}-e`) !== undefined && answer(`${caller}-x`) !== undefined, 10_000);
      expect({ caller, edit: answer(`${caller}-e`), delete: answer(`${caller}-x`) }).toEqual({ caller, ...want });
      socket.close();
      await settle(world.groupId);
      // Until the author acts, the member still has the message as it was sent; then a tombstone.
      const history = await userStub(world.users.member.user.id).history(chat, undefined, 50);
      const copy = history.find((m) => m.id === world.messageId);
      if (caller === "admin")
        expect({ text: copy?.text, deleted: copy?.deletedAt !== undefined }).toEqual({ text: "", deleted: true });
      else expect(copy?.text).toBe("after the removal");
    }
    await clearAlarms(
      [world.groupId],
      Object.values(world.users).map((u) => u.user.id),
    );
  });

  it("subscribe: any user may ask for a user's presence, and gets an answer", async () => {
    const world = await newWorld();
    for (const caller of ["admin", "member", "removed", "outsider"] as const) {
      const socket = await connect(world.users[caller].token);
      socket.send({ type: "subscribe", users: [world.users.member.user.id] });
      const frame = await socket.next("presence", (f) => f.user === world.users.member.user.id);
      expect(typeof frame.online).toBe("boolean");
      expect(socket.of("error")).toEqual([]);
      socket.close();
    }
    await clearAlarms(
      [world.groupId],
      Object.values(world.users).map((u) => u.user.id),
    );
  });

  it("anonymous callers cannot open a socket at all", async () => {
    const res = await api("/ws", { headers: { Upgrade: "websocket" } });
    expect(res.status).toBe(401);
  });
});
