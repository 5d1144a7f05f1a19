// The request log: one JSON line per request, with the request id that the
// answer carries in X-Request-Id; the user id once known; never the query.

import { afterEach, describe, expect, it, vi } from "vitest";
import { api, connect, register } from "../../test/helpers";
import type { RequestLine } from "./request-log";

/** The request lines the Worker printed (it runs in this isolate, so its console is ours to watch). */
function watchLog() {
  const lines: RequestLine[] = [];
  const take = (text: unknown) => {
    if (typeof text === "string" && text.startsWith('{"event":"request"')) lines.push(JSON.parse(text));
  };
  vi.spyOn(console, "log").mockImplementation(take);
  vi.spyOn(console, "error").mockImplementation(take);
  return lines;
}

afterEach(() => vi.restoreAllMocks());

describe("request log", () => {
  it("keeps a sane X-Request-Id from the caller and logs one line with the user id", async () => {
    const alice = await register();
    const lines = watchLog();
    const res = await api("/api/me", { token: alice.token, headers: { "X-Request-Id": "trace-42.a=b" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Request-Id")).toBe("trace-42.a=b");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      event: "request",
      requestId: "trace-42.a=b",
      method: "GET",
      path: "/api/me",
      status: 200,
      userId: alice.user.id,
    });
    expect(lines[0]?.ms).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ["with spaces", "a b"],
    ["too long", "x".repeat(65)],
    ["with a newline escape attempt", 'x","status":200'],
  ])("replaces an id %s by a fresh one", async (_name, given) => {
    const lines = watchLog();
    const res = await api("/api/nothing-here", { headers: { "X-Request-Id": given } });
    expect(res.status).toBe(404);
    const id = res.headers.get("X-Request-Id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toEqual([expect.objectContaining({ requestId: id, status: 404, error: "not_found" })]);
  });

  it("logs errors with their code and no user id when the token is bad", async () => {
    const lines = watchLog();
    const res = await api("/api/me", { token: "not-a-token" });
    expect(res.status).toBe(401);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status: 401, error: "unauthorized" });
    expect(lines[0]).not.toHaveProperty("userId");
  });

  it("logs the WebSocket upgrade with the user id but without the token in the query", async () => {
    const alice = await register();
    const lines = watchLog();
    const socket = await connect(alice.token, "query");
    const line = lines.find((l) => l.path === "/ws");
    expect(line).toMatchObject({ method: "GET", status: 101, userId: alice.user.id });
    expect(JSON.stringify(lines)).not.toContain(alice.token);
    socket.close();
  });
});
