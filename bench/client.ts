// The benchmark's view of a client: a device (socket) and the HTTP calls it
// needs. Until the project's client module (src/client/) lands, this is a thin
// stand-in with the same surface (Connection: start/close/send/on(message,
// sent, synced, error); Api: register/login/...), so that switching to it is
// a change of imports here and nowhere else.

import type { AuthAnswer, ChatId, Group, Message, ServerFrame } from "../src/shared/protocol";

export interface DeviceOptions {
  baseUrl: string;
  token: string;
  userId: string;
  /** Sync cursor to start from (0: the whole mailbox). */
  cursor?: number;
  heartbeatMs?: number;
}

export interface DeviceEvents {
  message: Message;
  sent: { clientId: string; id: string; seq: number; ts: number };
  synced: { seq: number };
  error: { code: string; message: string; clientId?: string };
  state: { state: string };
}

type Listener<T> = (payload: T) => void;

export interface Device {
  readonly state: string;
  readonly cursor: number;
  on<K extends keyof DeviceEvents>(event: K, listener: Listener<DeviceEvents[K]>): () => void;
  send(chat: ChatId, text: string, clientId?: string): { clientId: string };
  start(): void;
  close(): void;
}

let clientCounter = 0;
const runTag = Math.random().toString(36).slice(2, 8);

/** A device not started yet: attach listeners, then start() or live(). */
export function createDevice(options: DeviceOptions): Device {
  return new RawDevice(options);
}

/** Starts a device; resolves once it is live (its first sync is complete). */
export function live(device: Device): Promise<Device> {
  return new Promise((resolve, reject) => {
    const off = device.on("state", ({ state }) => {
      if (state === "live") {
        off();
        resolve(device);
      } else if (state === "closed" || state === "offline") {
        off();
        device.close();
        reject(new Error("device could not connect"));
      }
    });
    device.start();
  });
}

export function openDevice(options: DeviceOptions): Promise<Device> {
  return live(createDevice(options));
}

class RawDevice implements Device {
  private ws: WebSocket | undefined;
  private stateValue = "idle";
  private cursorValue: number;
  private readonly listeners = new Map<string, Set<Listener<never>>>();
  private readonly seen = new Set<string>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private received: string[] = [];
  private ackTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: DeviceOptions) {
    this.cursorValue = options.cursor ?? 0;
  }

  get state(): string {
    return this.stateValue;
  }

  get cursor(): number {
    return this.cursorValue;
  }

  on<K extends keyof DeviceEvents>(event: K, listener: Listener<DeviceEvents[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  private emit<K extends keyof DeviceEvents>(event: K, payload: DeviceEvents[K]): void {
    for (const l of this.listeners.get(event) ?? []) (l as Listener<DeviceEvents[K]>)(payload);
  }

  private setState(state: string): void {
    this.stateValue = state;
    this.emit("state", { state });
  }

  start(): void {
    this.setState("connecting");
    const url = `${this.options.baseUrl.replace(/^http/, "ws")}/ws`;
    const ws = new WebSocket(url, [this.options.token]);
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.setState("syncing");
      ws.send(JSON.stringify({ type: "sync", after: this.cursorValue }));
      this.heartbeat = setInterval(() => ws.send("ping"), this.options.heartbeatMs ?? 25_000);
    });
    ws.addEventListener("message", (event) => this.onFrame(String(event.data)));
    ws.addEventListener("close", () => {
      clearInterval(this.heartbeat);
      if (this.stateValue !== "closed") this.setState(this.stateValue === "connecting" ? "closed" : "offline");
    });
  }

  close(): void {
    clearInterval(this.heartbeat);
    clearTimeout(this.ackTimer);
    this.setState("closed");
    this.ws?.close(1000, "done");
  }

  send(chat: ChatId, text: string, clientId = `b${runTag}.${++clientCounter}`): { clientId: string } {
    this.ws?.send(JSON.stringify({ type: "send", clientId, chat, text }));
    return { clientId };
  }

  private onFrame(data: string): void {
    if (data === "pong") return;
    const frame = JSON.parse(data) as ServerFrame;
    switch (frame.type) {
      case "message": {
        const m = frame.message;
        this.cursorValue = Math.max(this.cursorValue, m.seq);
        if (this.seen.has(m.id)) return;
        this.seen.add(m.id);
        if (m.from !== this.options.userId) this.ack(m.id);
        this.emit("message", m);
        return;
      }
      case "sent":
        this.emit("sent", frame);
        return;
      case "synced":
        this.cursorValue = Math.max(this.cursorValue, frame.seq);
        if (this.stateValue === "syncing") this.setState("live");
        this.emit("synced", { seq: frame.seq });
        return;
      case "error":
        this.emit("error", frame);
        return;
    }
  }

  /** `received` acknowledgements, batched per turn of the event loop as the client module does. */
  private ack(id: string): void {
    this.received.push(id);
    this.ackTimer ??= setTimeout(() => {
      this.ackTimer = undefined;
      const ids = this.received.splice(0, this.received.length);
      for (let i = 0; i < ids.length; i += 1000) {
        this.ws?.send(JSON.stringify({ type: "received", ids: ids.slice(i, i + 1000) }));
      }
    }, 0);
  }
}

// ---------------------------------------------------------------- HTTP

export class Api {
  constructor(
    readonly baseUrl: string,
    public token?: string,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new ApiFailure(res.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  register(username: string, password: string): Promise<AuthAnswer> {
    return this.request("POST", "/api/auth/register", { username, password });
  }

  login(username: string, password: string): Promise<AuthAnswer> {
    return this.request("POST", "/api/auth/login", { username, password });
  }

  createGroup(name: string, members: string[]): Promise<Group> {
    return this.request("POST", "/api/groups", { name, members });
  }

  async history(chat: ChatId, limit = 1): Promise<Message[]> {
    const answer = await this.request<{ messages: Message[] }>(
      "GET",
      `/api/chats/${encodeURIComponent(chat)}/messages?limit=${limit}`,
    );
    return answer.messages;
  }
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}: ${body.slice(0, 200)}`);
  }
}
