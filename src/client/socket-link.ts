// The socket's lifecycle: open (token in the subprotocol or the query), keep
// alive (heartbeat), and on loss reconnect with backoff, unless the server
// said this device is logged out or displaced. It owns the connection state;
// what the frames mean is for its owner (./connection.ts).

import { PING } from "../shared/protocol";
import { Backoff, type BackoffOptions } from "./backoff";
import type { ConnectionState } from "./events";
import { Heartbeat } from "./heartbeat";
import { socketUrl } from "./socket-url";

export interface LinkOptions {
  baseUrl: string;
  token: string;
  tokenVia?: "query" | "protocol";
  heartbeatMs?: number;
  backoff?: BackoffOptions;
  tokenValid?: () => Promise<boolean>;
}

export interface LinkHooks {
  state(state: ConnectionState, previous: ConnectionState): void;
  /** A socket opened: time to sync and write what waits. */
  opened(): void;
  frame(data: string): void;
  /** The current socket is forgotten: whatever was held for it goes. */
  detached(): void;
  /** Refused for good (a logged-out or displaced device). */
  stopped(code: string, message: string): void;
}

const LOGGED_OUT = 4001;
/** The server keeps 10 sockets per user and closes the oldest: reconnecting would displace another device in turn. */
const DISPLACED = 4008;

export class SocketLink {
  private socket: WebSocket | undefined;
  private generationValue = 0;
  private stateValue: ConnectionState = "idle";
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly backoff: Backoff;
  private readonly heartbeat: Heartbeat;

  constructor(
    private readonly options: LinkOptions,
    private readonly hooks: LinkHooks,
  ) {
    this.backoff = new Backoff(options.backoff);
    this.heartbeat = new Heartbeat(
      options.heartbeatMs ?? 25_000,
      () => this.write(PING),
      () => this.drop("heartbeat timeout"),
    );
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** Counts sockets: what was written to an older one must be written again. */
  get generation(): number {
    return this.generationValue;
  }

  start(): void {
    if (this.stateValue === "idle" || this.stateValue === "offline") this.open();
  }

  close(): void {
    this.setState("closed");
    clearTimeout(this.reconnectTimer);
    this.heartbeat.stop();
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000, "closed by client");
  }

  reconnectNow(): void {
    if (this.stateValue !== "offline") return;
    clearTimeout(this.reconnectTimer);
    this.open();
  }

  drop(reason: string): void {
    const socket = this.socket;
    if (!socket) return;
    this.detach();
    socket.close(4000, reason);
    this.scheduleReconnect();
  }

  /** The replay is over: the socket is live, and the next loss starts the backoff afresh. */
  live(): void {
    this.backoff.reset();
    this.setState("live");
  }

  isOpen(): boolean {
    return this.socket !== undefined && this.socket.readyState === WebSocket.OPEN;
  }

  write(data: string): void {
    if (!this.isOpen()) return;
    try {
      this.socket?.send(data);
    } catch {
      // closing: the close event schedules the reconnect
    }
  }

  private open(): void {
    this.setState("connecting");
    const via = this.options.tokenVia ?? "protocol";
    const url = socketUrl(this.options.baseUrl, this.options.token, via);
    let socket: WebSocket;
    try {
      socket = via === "protocol" ? new WebSocket(url, [this.options.token]) : new WebSocket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    const generation = ++this.generationValue;
    this.socket = socket;
    let opened = false;
    socket.addEventListener("open", () => {
      if (generation !== this.generationValue) return;
      opened = true;
      this.setState("syncing");
      this.heartbeat.start();
      this.hooks.opened();
    });
    socket.addEventListener("message", (event) => {
      if (generation !== this.generationValue) return;
      this.heartbeat.heard();
      this.hooks.frame(String(event.data));
    });
    // Node's WebSocket fires only `error` when the upgrade is refused;
    // browsers fire `error` then `close`: whichever comes first ends the socket.
    const ended = (code: number) => {
      if (generation !== this.generationValue || this.socket !== socket) return;
      this.detach();
      if (code === LOGGED_OUT) this.hooks.stopped("unauthorized", "this session was logged out");
      else if (code === DISPLACED)
        this.hooks.stopped("too_many_sockets", "closed: this account has too many devices connected");
      else if (opened) this.scheduleReconnect();
      else void this.afterFailedConnect();
    };
    socket.addEventListener("close", (event) => ended(event.code));
    socket.addEventListener("error", () => ended(0));
  }

  /** A connect that never opened: a network problem, or a refused token (browsers cannot see the 401). */
  private async afterFailedConnect(): Promise<void> {
    this.setState("offline");
    const valid = await (this.options.tokenValid ?? (() => this.defaultTokenCheck()))().catch(() => true);
    if (this.stateValue !== "offline") return;
    if (valid) this.scheduleReconnect();
    else this.hooks.stopped("unauthorized", "the token was refused");
  }

  private async defaultTokenCheck(): Promise<boolean> {
    const base = this.options.baseUrl.replace(/\/$/, "");
    const res = await fetch(`${base}/api/me`, { headers: { Authorization: `Bearer ${this.options.token}` } });
    return res.status !== 401;
  }

  /** Forgets the current socket (its late events are ignored). */
  private detach(): void {
    this.generationValue++;
    this.socket = undefined;
    this.heartbeat.stop();
    this.hooks.detached();
  }

  private scheduleReconnect(): void {
    if (this.stateValue === "closed") return;
    this.setState("offline");
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.open(), this.backoff.next());
  }

  private setState(state: ConnectionState): void {
    const previous = this.stateValue;
    if (previous === state || previous === "closed") return;
    this.stateValue = state;
    this.hooks.state(state, previous);
  }
}
