// The client module (src/client) against the real server: HTTP calls, a live
// Connection, receipts, and what happens when sockets or the server go away:
// queued sends go out once on reconnect, and a resync leaves no gaps and no
// duplicates.

import { Api, ApiError } from "@edge-chat/client";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { ChatId } from "../../src/shared/protocol";
import { ClientUser } from "../support/client-user";
import { freePort, newStateDir, type RunningServer, startServer } from "../support/server";
import { waitFor } from "../support/wait";

const base = inject("baseUrl");

describe("client module: HTTP", () => {
  it("registers, logs in, reads the profile and the chats, and reports errors with codes", async () => {
    const alice = await ClientUser.register(base, "calice");
    const api = new Api({ baseUrl: base });
    const login = await api.login(alice.user.username, "client-password-123");
    expect(login.user).toEqual(alice.user);
    expect(await api.me()).toMatchObject({ id: alice.user.id, lastSeenVisibility: "everyone" });
    expect((await api.updateMe({ about: "hello" })).about).toBe("hello");
    expect(await api.user(alice.user.username.toUpperCase())).toMatchObject({ id: alice.user.id, about: "hello" });
    expect(await api.chats()).toEqual([]);

    const taken = await api.register(alice.user.username, "another-password").catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(ApiError);
    expect(taken).toMatchObject({ code: "username_taken", status: 409 });
    await expect(api.history("u:bad" as ChatId)).rejects.toMatchObject({ code: "invalid_chat", status: 400 });

    await api.logout();
    await expect(new Api({ baseUrl: base, token: login.token }).me()).rejects.toMatchObject({ status: 401 });
    // The other session (from register) is still valid.
    expect(await new Api({ baseUrl: base, token: alice.token }).me()).toMatchObject({ id: alice.user.id });
  });

  it("answers network failures as ApiError code network", async () => {
    const api = new Api({ baseUrl: `http://127.0.0.1:${await freePort()}` });
    await expect(api.me()).rejects.toMatchObject({ code: "network", status: 0 });
  });
});

describe("client module: Connection", () => {
  it("sends, receives, acknowledges and reads, each message once", async () => {
    const alice = await ClientUser.register(base, "calice");
    const bob = await ClientUser.register(base, "cbob");
    const a = alice.connect({ tokenVia: "protocol" });
    const b = bob.connect({ tokenVia: "query" });
    await waitFor(() => a.state === "live" && b.state === "live", "both live");

    const sent = await a.sendAndWait(`u:${bob.user.id}`, "hello bob");
    expect(sent).toMatchObject({ chat: `u:${bob.user.id}`, text: "hello bob" });
    expect(a.pending).toEqual([]);
    const got = await waitFor(() => bob.messages.find((m) => m.id === sent.id), "bob gets it");
    expect(got).toMatchObject({ from: alice.user.id, chat: `u:${alice.user.id}`, text: "hello bob" });
    // Bob's connection acknowledged it by itself; alice sees the receipt.
    await waitFor(() => alice.of("receipt").find((r) => r.status === "delivered"), "delivered receipt");
    b.markRead(`u:${alice.user.id}`, sent.id);
    const read = await waitFor(() => alice.of("receipt").find((r) => r.status === "read"), "read receipt");
    expect(read).toMatchObject({ ids: [sent.id], by: bob.user.id });
    // Alice's own message came back to her device once, with its clientId.
    expect(alice.messages.filter((m) => m.id === sent.id)).toEqual([
      expect.objectContaining({ clientId: sent.clientId }),
    ]);
    expect(await bob.api.history(`u:${alice.user.id}`)).toEqual([expect.objectContaining({ id: sent.id })]);
    a.close();
    b.close();
    expect(a.state).toBe("closed");
  });

  it("sends to a group through the same queue; every member gets it once and acknowledges it", async () => {
    const alice = await ClientUser.register(base, "galice");
    const bob = await ClientUser.register(base, "gbob");
    const carol = await ClientUser.register(base, "gcarol");
    const group = await alice.api.createGroup("client group", [bob.user.id, carol.user.id]);
    expect(group.members.map((m) => m.id)).toEqual([alice.user.id, bob.user.id, carol.user.id]);
    expect(await bob.api.group(group.id)).toMatchObject({ name: "client group" });
    const [a, b, c] = [alice.connect(), bob.connect(), carol.connect()];
    await waitFor(() => [a, b, c].every((x) => x.state === "live"), "all live");
    const sent = await a.sendAndWait(`g:${group.id}`, "hello group");
    for (const member of [bob, carol]) {
      await waitFor(() => member.messages.find((m) => m.id === sent.id), "member gets it");
      expect(member.messages.filter((m) => m.text === "hello group")).toHaveLength(1);
    }
    const delivered = await waitFor(() => {
      const by = new Set(
        alice
          .of("receipt")
          .filter((r) => r.ids.includes(sent.id))
          .map((r) => r.by),
      );
      return by.size === 2 && by;
    }, "delivered by both");
    expect([...delivered].sort()).toEqual([bob.user.id, carol.user.id].sort());
    // Removed members can no longer send: the queue reports it as failed, not retried.
    await alice.api.removeMember(group.id, bob.user.id);
    await expect(b.sendAndWait(`g:${group.id}`, "still here?")).rejects.toMatchObject({ code: "not_member" });
    expect(b.pending).toEqual([]);
    for (const x of [a, b, c]) x.close();
  });

  it("refuses a message it can never send, and reports a server refusal as failed", async () => {
    const alice = await ClientUser.register(base, "calice");
    const a = alice.connect();
    await waitFor(() => a.state === "live", "live");
    expect(() => a.send(`u:${alice.user.id}`, "")).toThrow(ApiError);
    expect(() => a.send(`u:${alice.user.id}`, "x".repeat(4097))).toThrow(/at most 4096/);
    const nobody = "zzzzzzzzzzzzzzzz";
    await expect(a.sendAndWait(`u:${nobody}`, "hello?")).rejects.toMatchObject({ code: "unknown_user" });
    expect(alice.of("failed")).toEqual([expect.objectContaining({ code: "unknown_user" })]);
    expect(a.pending).toEqual([]);
    a.close();
  });

  it("after a dropped socket, resyncs from its cursor with no gaps and no duplicates", async () => {
    const alice = await ClientUser.register(base, "calice");
    const bob = await ClientUser.register(base, "cbob");
    const a = alice.connect();
    const b = bob.connect();
    await waitFor(() => a.state === "live" && b.state === "live", "both live");
    const chat: ChatId = `u:${bob.user.id}`;
    for (let i = 0; i < 5; i++) await a.sendAndWait(chat, `before ${i}`);
    await waitFor(() => bob.messages.length === 5, "5 messages");
    const cursorBefore = b.cursor;

    b.drop();
    expect(b.state).toBe("offline");
    const sends = [];
    for (let i = 0; i < 20; i++) sends.push(a.sendAndWait(chat, `during ${i}`));
    await Promise.all(sends);
    await waitFor(() => bob.messages.length === 25 && b.state === "live", "bob catches up");
    for (let i = 0; i < 5; i++) await a.sendAndWait(chat, `after ${i}`);
    await waitFor(() => bob.messages.length === 30, "30 messages");

    const expected = [0, 1, 2, 3, 4].map((i) => `before ${i}`);
    expected.push(...Array.from({ length: 20 }, (_, i) => `during ${i}`), ...[0, 1, 2, 3, 4].map((i) => `after ${i}`));
    expect(bob.messages.map((m) => m.text)).toEqual(expected);
    expect(new Set(bob.messages.map((m) => m.id)).size).toBe(30);
    // The history on the server agrees, and the cursor moved past everything.
    expect((await bob.api.history(`u:${alice.user.id}`)).map((m) => m.text)).toEqual(expected);
    expect(b.cursor).toBeGreaterThan(cursorBefore);
    expect(bob.of("synced").length).toBeGreaterThanOrEqual(2);
    a.close();
    b.close();
  });

  it("keeps its presence subscriptions across a reconnect, and relays typing", async () => {
    const alice = await ClientUser.register(base, "palice");
    const bob = await ClientUser.register(base, "pbob");
    const presence: { user: string; online: boolean; lastSeen: number | null }[] = [];
    const a = alice.connect();
    a.on("presence", (p) => presence.push(p));
    const typing: string[] = [];
    a.on("typing", (t) => typing.push(t.chat));
    a.subscribe([bob.user.id]);
    await waitFor(() => presence.find((p) => p.user === bob.user.id && !p.online), "bob offline at first");
    const b = bob.connect();
    await waitFor(() => presence.find((p) => p.online) && b.state === "live", "bob online");
    b.typing(`u:${alice.user.id}`);
    await waitFor(() => typing.includes(`u:${bob.user.id}`), "typing relayed");

    // Alice's socket drops; the new socket subscribes again by itself.
    a.drop();
    await waitFor(() => a.state === "live", "alice back");
    const before = presence.length;
    b.close();
    const offline = await waitFor(
      () => presence.slice(before).find((p) => !p.online && p.lastSeen !== null),
      "bob offline, seen on the new socket",
    );
    expect(offline.user).toBe(bob.user.id);
    expect(await alice.api.presence(bob.user.id)).toEqual({ online: false, lastSeen: offline.lastSeen });
    a.close();
  });

  it("stops, without reconnecting, when a newer device displaces it (4008)", async () => {
    const alice = await ClientUser.register(base, "calice");
    const first = alice.connect();
    await waitFor(() => first.state === "live", "first live");
    const errors: string[] = [];
    first.on("error", (e) => errors.push(e.code));
    const others = [];
    for (let i = 0; i < 10; i++) {
      const next = alice.connect();
      others.push(next);
      await waitFor(() => next.state === "live", `device ${i + 2} live`);
    }
    await waitFor(() => first.state === "closed", "the oldest closed");
    // The server says why in an error frame, then closes with 4008; the client reports the close too.
    expect(new Set(errors)).toEqual(new Set(["too_many_sockets"]));
    expect(others.every((c) => c.state === "live")).toBe(true);
    for (const c of others) c.close();
  });

  it("treats a logged-out session as closed, without reconnecting", async () => {
    const alice = await ClientUser.register(base, "calice");
    const a = alice.connect();
    await waitFor(() => a.state === "live", "live");
    await new Api({ baseUrl: base, token: alice.token }).logout();
    await waitFor(() => a.state === "closed", "closed");
    expect(alice.of("error")).toContainEqual(expect.objectContaining({ code: "unauthorized" }));
    // A new Connection with the dead token gives up too (the upgrade is refused).
    const again = alice.connect();
    await waitFor(() => again.state === "closed", "closed again");
  });
});

describe("client module: server restarts", () => {
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it("queues while the server is down, then delivers every message once, in order", async () => {
    const port = await freePort();
    const persistTo = newStateDir();
    server = await startServer({ port, persistTo });
    const alice = await ClientUser.register(server.url, "ralice");
    const bob = await ClientUser.register(server.url, "rbob");
    const a = alice.connect();
    const b = bob.connect();
    await waitFor(() => a.state === "live" && b.state === "live", "both live");
    const chat: ChatId = `u:${bob.user.id}`;
    await a.sendAndWait(chat, "m 0");

    // Killed mid-stream: some of these may be stored without their `sent`
    // reaching alice; her retries carry the same clientId.
    for (let i = 1; i <= 10; i++) a.send(chat, `m ${i}`);
    await server.kill();
    await waitFor(() => a.state === "offline" && b.state === "offline", "both offline");
    // Typed while the server is down.
    for (let i = 11; i <= 15; i++) a.send(chat, `m ${i}`);
    expect(a.pending.length).toBeGreaterThanOrEqual(5);

    server = await startServer({ port, persistTo });
    await waitFor(() => a.pending.length === 0, "alice's queue drains", 60_000);
    await waitFor(() => bob.messages.length >= 16, "bob has all 16", 30_000);
    const texts = Array.from({ length: 16 }, (_, i) => `m ${i}`);
    expect(bob.messages.map((m) => m.text)).toEqual(texts);
    expect((await bob.api.history(`u:${alice.user.id}`)).map((m) => m.text)).toEqual(texts);
    expect((await alice.api.history(chat)).map((m) => m.text)).toEqual(texts);
    a.close();
    b.close();
  }, 240_000);
});
