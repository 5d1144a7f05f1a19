// A user's devices in the real Workers runtime (./sockets.ts): the socket limit,
// and a logout closing that session's sockets only.

import { describe, expect, it } from "vitest";
import { SOCKETS_PER_USER_MAX } from "../../shared/limits";
import { api, connect, register, type TestSocket, userStub } from "../../test/helpers";

describe("devices", () => {
  it("keeps at most the socket limit, closing the oldest with a code", async () => {
    const alice = await register();
    const sockets: TestSocket[] = [];
    for (let i = 0; i < SOCKETS_PER_USER_MAX + 2; i++) {
      sockets.push(await connect(alice.token));
      await new Promise((r) => setTimeout(r, 2)); // distinct connection times
    }
    const [first, second, ...rest] = sockets as [TestSocket, TestSocket, ...TestSocket[]];
    expect((await first.waitClosed()).code).toBe(4008);
    expect((await second.waitClosed()).code).toBe(4008);
    expect(first.of("error")[0]?.code).toBe("too_many_sockets");
    expect((await userStub(alice.user.id).stats()).sockets).toBe(SOCKETS_PER_USER_MAX);
    for (const s of rest) expect(s.closed).toBeNull();
    for (const s of rest) s.close();
  });

  it("logout closes that session's sockets and no other", async () => {
    const alice = await register();
    const other = await api("/api/auth/login", {
      method: "POST",
      body: { username: alice.user.username, password: "correct horse battery" },
    });
    const otherToken = ((await other.json()) as { token: string }).token;
    const a = await connect(alice.token);
    await a.speak();
    const b = await connect(otherToken);
    expect((await api("/api/auth/logout", { method: "POST", token: alice.token })).status).toBe(204);
    expect(a.of("error")).toEqual([{ type: "error", code: "unauthorized", message: "this session was logged out" }]);
    expect(await a.waitClosed()).toEqual({ code: 4001, reason: "logged out" });
    b.send({ type: "sync", after: 0 });
    await b.next("synced");
    expect(b.closed).toBeNull();
    b.close();
  });

  // workerd leaves the TCP connection of a socket the server closes before it sent
  // a frame open (docs/architecture.md, "Closing sockets"): such a socket is told
  // at once and closed at its first frame, which is then ignored.
  it("a socket logged out before its first frame is told at once, and closed at its first frame", async () => {
    const alice = await register();
    const silent = await connect(alice.token, "protocol");
    expect((await api("/api/auth/logout", { method: "POST", token: alice.token })).status).toBe(204);
    await silent.next("error");
    expect(silent.of("error")).toEqual([
      { type: "error", code: "unauthorized", message: "this session was logged out" },
    ]);
    expect(silent.closed).toBeNull();
    silent.send({ type: "sync", after: 0 });
    expect(await silent.waitClosed()).toEqual({ code: 4001, reason: "logged out" });
    expect(silent.of("synced")).toEqual([]);
  });
});
