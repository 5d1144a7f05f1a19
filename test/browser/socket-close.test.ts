// Chromium's own WebSocket when its session is logged out (test/e2e/socket-close
// has Node's clients and the other ways a session ends): a socket that synced
// sees the close within 1 s; one that had not sent anything is told at once by
// an error frame and closed at its first frame.

import { describe, expect, inject, it } from "vitest";
import type { AuthAnswer } from "../../src/shared/protocol";
import { useBrowser } from "../support/browser";
import { uniqueUsername } from "../support/client-user";

const base = inject("baseUrl");

async function register(): Promise<AuthAnswer> {
  const res = await fetch(`${base}/api/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: uniqueUsername("sock"), password: "browser-password-1" }),
  });
  return (await res.json()) as AuthAnswer;
}

async function logout(token: string): Promise<void> {
  const res = await fetch(`${base}/api/auth/logout`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(204);
}

describe("Chromium's WebSocket on logout", () => {
  const browser = useBrowser();

  it("closes within 1 s with 4001 once synced; a silent one is told, and closes at its first frame", async () => {
    const context = await browser().newContext();
    const page = await context.newPage();
    await page.goto(base);
    const [synced, silent] = [await register(), await register()];
    // Each socket records its frames and its close in the page (window.sockets[name]).
    await page.evaluate(
      async ({ url, tokens }) => {
        const w = window as unknown as {
          sockets: Record<string, { frames: string[]; closed?: unknown; ws: WebSocket }>;
        };
        w.sockets = {};
        await Promise.all(
          Object.entries(tokens).map(
            ([name, token]) =>
              new Promise<void>((resolve) => {
                const ws = new WebSocket(`${url}/ws`, [token]);
                const entry: { frames: string[]; closed?: unknown; ws: WebSocket } = { frames: [], ws };
                w.sockets[name] = entry;
                ws.onmessage = (e) => entry.frames.push(String(e.data));
                ws.onclose = (e) => {
                  entry.closed = { code: e.code, reason: e.reason };
                };
                ws.onopen = () => resolve();
              }),
          ),
        );
        w.sockets.synced?.ws.send(JSON.stringify({ type: "sync", after: 0 }));
      },
      { url: base.replace(/^http/, "ws"), tokens: { synced: synced.token, silent: silent.token } },
    );
    const state = (name: string) =>
      page.evaluate((n) => {
        const entry = (window as unknown as { sockets: Record<string, { frames: string[]; closed?: unknown }> })
          .sockets[n];
        return { frames: entry?.frames.map((f) => JSON.parse(f) as { type: string }) ?? [], closed: entry?.closed };
      }, name);
    await expect.poll(async () => (await state("synced")).frames.map((f) => f.type)).toContain("synced");

    await logout(synced.token);
    await expect
      .poll(async () => (await state("synced")).closed, { timeout: 1000 })
      .toEqual({ code: 4001, reason: "logged out" });

    await logout(silent.token);
    await expect
      .poll(async () => (await state("silent")).frames, { timeout: 1000 })
      .toEqual([{ type: "error", code: "unauthorized", message: "this session was logged out" }]);
    expect((await state("silent")).closed).toBeUndefined();
    await page.evaluate(() =>
      (window as unknown as { sockets: Record<string, { ws: WebSocket }> }).sockets.silent?.ws.send(
        JSON.stringify({ type: "sync", after: 0 }),
      ),
    );
    await expect
      .poll(async () => (await state("silent")).closed, { timeout: 1000 })
      .toEqual({ code: 4001, reason: "logged out" });
    await context.close();
  });
});
