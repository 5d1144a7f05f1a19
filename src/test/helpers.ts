// Helpers for tests that run inside the Workers runtime: register users
// through the real Worker, open real WebSockets to it, and collect frames.

import { env, exports } from "cloudflare:workers";
import type { AuthAnswer, ServerFrame } from "../shared/protocol";

export const BASE = "http://chat.test";

let counter = 0;
export function uniqueName(prefix = "user"): string {
  counter += 1;
  return `${prefix}_${Date.now().toString(36)}_${counter}`.slice(0, 32);
}

export async function api(
  path: string,
  init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("Authorization", `Bearer ${init.token}`);
  let body: string | Uint8Array | undefined;
  if (init.body instanceof Uint8Array) {
    body = init.body;
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/octet-stream");
  } else if (init.body !== undefined) {
    body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
    headers.set("Content-Type", "application/json");
  }
  return exports.default.fetch(new Request(`${BASE}${path}`, { method: init.method ?? "GET", headers, body }));
}

export async function register(username = uniqueName(), password = "correct horse battery"): Promise<AuthAnswer> {
  const res = await api("/api/auth/register", { method: "POST", body: { username, password } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A real WebSocket to the Worker, with every frame it receives kept in order. */
export class TestSocket {
  readonly frames: (ServerFrame | string)[] = [];
  private waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | null = null;

  constructor(readonly ws: WebSocket) {
    ws.accept();
    ws.addEventListener("message", (event) => {
      const data = event.data as string;
      this.frames.push(data === "pong" ? data : (JSON.parse(data) as ServerFrame));
      this.notify();
    });
    ws.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.notify();
    });
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** Waits for the first frame (from `from` on) that matches; fails after `ms`. */
  async next<T extends ServerFrame["type"]>(
    type: T,
    match: (frame: Extract<ServerFrame, { type: T }>) => boolean = () => true,
    ms = 5000,
  ): Promise<Extract<ServerFrame, { type: T }>> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.frames.find(
        (f): f is Extract<ServerFrame, { type: T }> =>
          typeof f !== "string" && f.type === type && match(f as Extract<ServerFrame, { type: T }>),
      );
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no ${type} frame within ${ms} ms; got ${JSON.stringify(this.frames)}`);
      await this.waitAny(deadline - Date.now());
    }
  }

  /** Resolves once `predicate` holds over the frames so far; fails after `ms`. */
  async until(predicate: (socket: TestSocket) => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate(this)) {
      if (Date.now() > deadline)
        throw new Error(`condition not met within ${ms} ms; got ${JSON.stringify(this.frames).slice(-1000)}`);
      await this.waitAny(deadline - Date.now());
    }
  }

  /** Sends the sync a device sends on connect and waits for its answer: a socket the server ends after this closes at once (user/sockets.ts, endSocket). */
  async speak(): Promise<void> {
    const before = this.of("synced").length;
    this.send({ type: "sync", after: 0 });
    await this.until((s) => s.of("synced").length > before);
  }

  async waitClosed(ms = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + ms;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error("socket did not close");
      await this.waitAny(deadline - Date.now());
    }
    return this.closed;
  }

  private waitAny(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(1, ms));
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  of<T extends ServerFrame["type"]>(type: T): Extract<ServerFrame, { type: T }>[] {
    return this.frames.filter((f): f is Extract<ServerFrame, { type: T }> => typeof f !== "string" && f.type === type);
  }

  close(): void {
    this.ws.close(1000, "done");
  }
}

export async function connect(token: string, via: "query" | "protocol" = "query"): Promise<TestSocket> {
  const headers: Record<string, string> = { Upgrade: "websocket" };
  let path = "/ws";
  if (via === "query") path += `?token=${encodeURIComponent(token)}`;
  else headers["Sec-WebSocket-Protocol"] = token;
  const res = await exports.default.fetch(new Request(`${BASE}${path}`, { headers }));
  if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade failed: ${res.status} ${await res.text()}`);
  return new TestSocket(res.webSocket);
}

export function userStub(userId: string) {
  return env.USERS.get(env.USERS.idFromName(userId));
}
