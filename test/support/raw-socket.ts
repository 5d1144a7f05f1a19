// A frame-level WebSocket for end-to-end protocol tests (Node's own WebSocket
// over real TCP): sends anything, keeps every frame it receives in order.
// Application code and the benchmark use the client module in src/client/.

import type { AuthAnswer, Message, ServerFrame } from "../../src/shared/protocol";

type Frame = ServerFrame | "pong";

export class RawSocket {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (event) => {
      const data = String(event.data);
      this.frames.push(data === "pong" ? "pong" : (JSON.parse(data) as ServerFrame));
      this.wake();
    });
    ws.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.wake();
    });
  }

  static open(baseUrl: string, token: string, via: "query" | "protocol" = "query"): Promise<RawSocket> {
    const wsUrl = baseUrl.replace(/^http/, "ws");
    const ws =
      via === "query"
        ? new WebSocket(`${wsUrl}/ws?token=${encodeURIComponent(token)}`)
        : new WebSocket(`${wsUrl}/ws`, [token]);
    return new Promise((resolve, reject) => {
      ws.addEventListener("open", () => resolve(new RawSocket(ws)), { once: true });
      ws.addEventListener("error", () => reject(new Error("WebSocket failed to open")), { once: true });
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  of<T extends ServerFrame["type"]>(type: T): Extract<ServerFrame, { type: T }>[] {
    return this.frames.filter((f): f is Extract<ServerFrame, { type: T }> => typeof f !== "string" && f.type === type);
  }

  /** Resolves once `predicate` holds over the frames received so far. */
  async until<T>(predicate: (socket: RawSocket) => T | undefined | false, ms = 10_000, what = "condition"): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = predicate(this);
      if (value) return value;
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames).slice(-2000)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  next<T extends ServerFrame["type"]>(
    type: T,
    match: (frame: Extract<ServerFrame, { type: T }>) => boolean = () => true,
    ms = 10_000,
  ): Promise<Extract<ServerFrame, { type: T }>> {
    return this.until((s) => s.of(type).find(match), ms, `a ${type} frame`);
  }

  async sync(after = 0): Promise<Extract<ServerFrame, { type: "synced" }>> {
    const before = this.of("synced").length;
    this.send({ type: "sync", after });
    return this.until((s) => s.of("synced")[before], 30_000, "synced");
  }

  close(): void {
    this.ws.close(1000, "done");
  }
}

export async function http<T = unknown>(
  baseUrl: string,
  path: string,
  init: { method?: string; body?: unknown; token?: string } = {},
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

let counter = 0;
export async function registerUser(baseUrl: string, prefix = "e2e"): Promise<AuthAnswer> {
  counter += 1;
  const username = `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`.slice(0, 32);
  const res = await http<AuthAnswer>(baseUrl, "/api/auth/register", {
    method: "POST",
    body: { username, password: "e2e-password-123" },
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A chat's whole history through GET /api/chats/:chat/messages, paged back `limit` at a time: oldest first. */
export async function wholeHistory(baseUrl: string, token: string, chat: string, limit = 7): Promise<Message[]> {
  const all: Message[] = [];
  let before: string | undefined;
  for (;;) {
    const q = new URLSearchParams({ limit: String(limit), ...(before ? { before } : {}) });
    const res = await http<{ messages: Message[] }>(baseUrl, `/api/chats/${chat}/messages?${q}`, { token });
    if (res.status !== 200) throw new Error(`history ${res.status} ${JSON.stringify(res.body)}`);
    all.unshift(...res.body.messages);
    if (res.body.messages.length < limit) return all;
    before = res.body.messages[0]?.id;
  }
}
