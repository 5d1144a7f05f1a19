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
import securityDoc from "../../docs/security.md?raw";
import {
  CALLERS,
  type Caller,
  FRAME_ROWS,
  matrixTable,
  ROWS,
  type Row,
  TINY_PNG,
  type World,
} from "../test/authz-matrix";
import { clearAlarms, createGroup, settle } from "../test/groups";
import { api, connect, register, userStub } from "../test/helpers";
import { PNG } from "../test/images";
import { uploaded } from "../test/media";
import { app } from "./app";

async function newWorld(): Promise<World> {
  const [admin, member, removed, outsider] = await Promise.all([register(), register(), register(), register()]);
  const users = { admin, member, removed, outsider } as World["users"];
  const group = await createGroup(admin.token, "matrix", [member.user.id, removed.user.id]);
  const socket = await connect(admin.token);
  const photo = await uploaded(admin.token, "photo", PNG);
  socket.send({ type: "send", clientId: "photo", chat: `g:${group.id}`, media: photo });
  await socket.next("sent");
  const parts = await api("/api/media/uploads", {
    method: "POST",
    token: admin.token,
    body: { kind: "photo", size: TINY_PNG.length },
  });
  const uploadId = ((await parts.json()) as { id: string }).id;
  const res = await api(`/api/groups/${group.id}/members/${removed.user.id}`, { method: "DELETE", token: admin.token });
  if (res.status !== 200) throw new Error(`setup: remove failed ${res.status}`);
  socket.send({ type: "send", clientId: "world", chat: `g:${group.id}`, text: "after the removal" });
  const sent = await socket.next("sent", (f) => f.clientId === "world");
  socket.close();
  await settle(group.id);
  return { users, groupId: group.id, messageId: sent.id, mediaId: photo.id, uploadId };
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

  it("is the table in docs/security.md", () => {
    expect(securityDoc).toContain(matrixTable());
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

function frameRow(frame: string): Record<Exclude<Caller, "anonymous">, string> {
  const row = FRAME_ROWS.find((r) => r.frame === frame);
  if (!row) throw new Error(`no frame row ${frame}`);
  return row.expect;
}

describe("frame matrix", { timeout: 120_000 }, () => {
  it("read of the group: those who are or were in it; an outsider gets not_member", async () => {
    const world = await newWorld();
    const expected = frameRow("read");
    for (const caller of ["admin", "member", "removed", "outsider"] as const) {
      const socket = await connect(world.users[caller].token);
      socket.send({ type: "read", chat: `g:${world.groupId}`, upTo: world.messageId });
      // An allowed read answers nothing; the sync after it is answered once the read was handled
      // (the reader's own mailbox knows the chat, so the read waits on nothing).
      socket.send({ type: "sync", after: Number.MAX_SAFE_INTEGER });
      if (expected[caller] === "ok") await socket.next("synced");
      else await socket.next("error");
      const error = socket.of("error")[0];
      expect({ caller, outcome: error?.code ?? "ok" }).toEqual({ caller, outcome: expected[caller] });
      socket.close();
    }
    await settle(world.groupId);
    await clearAlarms(
      [world.groupId],
      Object.values(world.users).map((u) => u.user.id),
    );
  });

  it("sends to the group: members only; one-to-one: any user", async () => {
    const world = await newWorld();
    const group = frameRow("send");
    const expected = Object.fromEntries(
      (Object.keys(group) as (keyof typeof group)[]).map((c) => [c, { group: group[c], direct: "sent" }]),
    ) as Record<Exclude<Caller, "anonymous">, { group: string; direct: string }>;
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
    const expected = frameRow("typing");
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
    const edit = frameRow("edit");
    const del = frameRow("delete (for everyone)");
    const expected = (["member", "removed", "outsider", "admin"] as const).map(
      (c) => [c, { edit: edit[c], delete: del[c] }] as const,
    );
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
