// When a session ends (logout, a device logged out from another, the oldest
// session past the limit), its sockets see a completed close (a `close` event
// with 4001 "logged out") within 1 s, over real TCP, with Node's own WebSocket
// (undici) and the `ws` package, through wrangler's proxy and on the Worker's
// own port behind it. A socket that had not sent a frame yet is told by an
// error frame at once and closed at its first frame: workerd never closes the
// TCP connection of a socket closed before it spoke (docs/architecture.md,
// "Closing sockets").

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WsClient from "ws";
import type { AuthAnswer } from "../../src/shared/protocol";
import { descendants, listeningPorts } from "../support/processes";
import { type RunningServer, startServer } from "../support/server";

const PASSWORD = "close-password-123";
const LOGGED_OUT = { code: 4001, reason: "logged out" };
const NOTICE = { type: "error", code: "unauthorized", message: "this session was logged out" };

interface Socket {
  frames: unknown[];
  /** Resolves with the close event's code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  send(frame: unknown): void;
}

type Client = "undici" | "ws";

function open(base: string, token: string, client: Client, via: "query" | "protocol"): Promise<Socket> {
  const url = `${base.replace(/^http/, "ws")}/ws${via === "query" ? `?token=${encodeURIComponent(token)}` : ""}`;
  const protocols = via === "protocol" ? [token] : undefined;
  const ws = client === "ws" ? new WsClient(url, protocols) : new WebSocket(url, protocols);
  const target = ws as unknown as WebSocket; // both have the WHATWG event interface
  const frames: unknown[] = [];
  target.addEventListener("message", (event) => frames.push(JSON.parse(String(event.data))));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    target.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason })),
  );
  return new Promise((resolve, reject) => {
    target.addEventListener("open", () => resolve({ frames, closed, send: (f) => ws.send(JSON.stringify(f)) }));
    target.addEventListener("error", () => reject(new Error("the socket did not open")));
  });
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function post<T>(base: string, path: string, body?: unknown, token?: string, method = "POST"): Promise<T> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

let counter = 0;
async function account(base: string): Promise<{ username: string; first: AuthAnswer }> {
  counter += 1;
  const username = `close_${process.pid}_${counter}_${Date.now().toString(36)}`.slice(0, 32);
  return { username, first: await post<AuthAnswer>(base, "/api/auth/register", { username, password: PASSWORD }) };
}

const login = (base: string, username: string, device: string) =>
  post<AuthAnswer>(base, "/api/auth/login", { username, password: PASSWORD, device });

/** Ends the session of the socket's token, each way there is; resolves when the server has answered. */
const ENDINGS = {
  logout: async (base: string) => {
    const { first } = await account(base);
    return { token: first.token, end: () => post(base, "/api/auth/logout", undefined, first.token) };
  },
  "remote logout": async (base: string) => {
    const { username, first } = await account(base);
    const tablet = await login(base, username, "tablet");
    const { sessions } = await post<{ sessions: { id: string; device: string }[] }>(
      base,
      "/api/me/sessions",
      undefined,
      first.token,
      "GET",
    );
    const id = sessions.find((s) => s.device === "tablet")?.id;
    return { token: tablet.token, end: () => post(base, `/api/me/sessions/${id}`, undefined, first.token, "DELETE") };
  },
  "session limit": async (base: string) => {
    const { username, first } = await account(base);
    return {
      token: first.token,
      end: async () => {
        for (let i = 0; i < 5; i++) await login(base, username, `device ${i}`);
      },
    };
  },
};

describe("a session's sockets close when it ends", () => {
  let server: RunningServer;
  const bases: [string, string][] = [];
  beforeAll(async () => {
    server = await startServer();
    // The Worker's own port: the one of workerd's listening ports, other than the
    // proxy's and the inspector's, that answers as the API does.
    const tree = descendants(server.pid as number);
    let direct: string | undefined;
    for (const port of listeningPorts(tree)) {
      if (port === server.port || port === server.inspectorPort) continue;
      const res = await fetch(`http://127.0.0.1:${port}/api/me`).catch(() => undefined);
      if (res?.status === 401 && (await res.json().catch(() => ({})))?.error?.code === "unauthorized") {
        direct = `http://127.0.0.1:${port}`;
      }
    }
    if (!direct) throw new Error("no port of the Worker behind wrangler's proxy");
    bases.push(["through wrangler's proxy", server.url], ["on the Worker's own port", direct]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  for (const client of ["undici", "ws"] as const) {
    for (const [ending, setUp] of Object.entries(ENDINGS)) {
      it(`${ending}, ${client}: a synced socket closes within 1 s; one that had not spoken is told, and closes at its first frame`, async () => {
        for (const [where, base] of bases) {
          const synced = await setUp(base);
          const socket = await open(base, synced.token, client, "query");
          socket.send({ type: "sync", after: 0 });
          await within(
            (async () => {
              while (!socket.frames.some((f) => (f as { type: string }).type === "synced"))
                await new Promise((r) => setTimeout(r, 10));
            })(),
            5000,
            `${where}: synced`,
          );
          await synced.end();
          expect(await within(socket.closed, 1000, `${where}: close after ${ending}`)).toEqual(LOGGED_OUT);
          expect(socket.frames).toContainEqual(NOTICE);

          const silent = await setUp(base);
          const quiet = await open(base, silent.token, client, "protocol");
          await silent.end();
          await within(
            (async () => {
              while (!quiet.frames.some((f) => (f as { type: string }).type === "error"))
                await new Promise((r) => setTimeout(r, 10));
            })(),
            1000,
            `${where}: the notice after ${ending}`,
          );
          expect(quiet.frames).toEqual([NOTICE]);
          quiet.send({ type: "sync", after: 0 });
          expect(await within(quiet.closed, 1000, `${where}: close at the first frame`)).toEqual(LOGGED_OUT);
          expect(quiet.frames).toEqual([NOTICE]); // the frame was not answered
        }
      });
    }
  }
});
