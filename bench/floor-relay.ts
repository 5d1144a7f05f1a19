// The floor: the least a relay speaking our protocol can do, in one Node
// process with the `ws` package. No storage, no password hashing, no token
// signing, no limits: register/login hand out random tokens, a message lives
// only in memory. The benchmark drives it with the same load code as the real
// server, so every figure can be read as a ratio to this floor.
//
// Run alone: node .tmp/bench/floor-relay.js --port 8901

import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

interface FloorMessage {
  id: string;
  chat: string;
  from: string;
  text: string;
  ts: number;
  seq: number;
  clientId?: string;
}

interface FloorUser {
  id: string;
  username: string;
  password: string;
  sockets: Set<WebSocket>;
  mailbox: FloorMessage[];
  byClientId: Map<string, FloorMessage>;
}

export interface FloorRelay {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function startFloorRelay(port = 0): Promise<FloorRelay> {
  const users = new Map<string, FloorUser>();
  const byName = new Map<string, FloorUser>();
  const tokens = new Map<string, FloorUser>();
  const groups = new Map<string, string[]>();
  let idCounter = 0;
  const newId = () => randomBytes(12).toString("base64url").slice(0, 16);
  const messageId = () => `${Date.now().toString(36).padStart(9, "0")}${(idCounter++).toString(36).padStart(7, "0")}`;

  const token = (user: FloorUser) => {
    const t = randomBytes(24).toString("base64url");
    tokens.set(t, user);
    return t;
  };
  const pub = (u: FloorUser) => ({ id: u.id, username: u.username, displayName: u.username, about: "" });

  function store(user: FloorUser, m: Omit<FloorMessage, "seq">): FloorMessage {
    const stored = { ...m, seq: user.mailbox.length + 1 };
    user.mailbox.push(stored);
    return stored;
  }

  function push(user: FloorUser, frame: unknown): void {
    if (user.sockets.size === 0) return;
    const text = JSON.stringify(frame);
    for (const ws of user.sockets) ws.send(text);
  }

  function onSend(user: FloorUser, ws: WebSocket, f: { clientId: string; chat: string; text: string }): void {
    const earlier = user.byClientId.get(f.clientId);
    if (earlier) {
      ws.send(JSON.stringify({ type: "sent", clientId: f.clientId, id: earlier.id, seq: earlier.seq, ts: earlier.ts }));
      return;
    }
    const target = f.chat.slice(2);
    const recipients = f.chat.startsWith("g:") ? groups.get(target) : users.has(target) ? [target] : undefined;
    if (!recipients) {
      ws.send(JSON.stringify({ type: "error", code: "unknown_user", message: "no such chat", clientId: f.clientId }));
      return;
    }
    const id = messageId();
    const ts = Date.now();
    const own = store(user, { id, chat: f.chat, from: user.id, text: f.text, ts, clientId: f.clientId });
    user.byClientId.set(f.clientId, own);
    ws.send(JSON.stringify({ type: "sent", clientId: f.clientId, id, seq: own.seq, ts }));
    push(user, { type: "message", message: own });
    for (const rid of recipients) {
      const r = users.get(rid);
      if (!r || r === user) continue;
      const chat = f.chat.startsWith("g:") ? f.chat : `u:${user.id}`;
      push(r, { type: "message", message: store(r, { id, chat, from: user.id, text: f.text, ts }) });
    }
  }

  function onFrame(user: FloorUser, ws: WebSocket, data: string): void {
    if (data === "ping") {
      ws.send("pong");
      return;
    }
    let f: { type?: string; [k: string]: unknown };
    try {
      f = JSON.parse(data);
    } catch {
      ws.send(JSON.stringify({ type: "error", code: "bad_frame", message: "not JSON" }));
      return;
    }
    if (f.type === "send") onSend(user, ws, f as { clientId: string; chat: string; text: string });
    else if (f.type === "sync") {
      const after = Number(f.after) || 0;
      for (const m of user.mailbox.slice(after)) ws.send(JSON.stringify({ type: "message", message: m }));
      ws.send(JSON.stringify({ type: "synced", seq: user.mailbox.length }));
    }
    // received, read, typing, subscribe: accepted and dropped (no receipts in the floor).
  }

  async function onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://floor");
    const answer = (status: number, body?: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(body === undefined ? "" : JSON.stringify(body));
    };
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = raw ? JSON.parse(raw) : {};
    const auth = tokens.get(req.headers.authorization?.replace(/^Bearer /, "") ?? "");
    if (req.method === "POST" && url.pathname === "/api/auth/register") {
      if (byName.has(body.username)) return answer(409, { error: { code: "username_taken", message: "taken" } });
      const user: FloorUser = {
        id: newId(),
        username: body.username,
        password: body.password,
        sockets: new Set(),
        mailbox: [],
        byClientId: new Map(),
      };
      users.set(user.id, user);
      byName.set(user.username, user);
      return answer(201, { token: token(user), user: pub(user) });
    }
    if (req.method === "POST" && url.pathname === "/api/auth/login") {
      const user = byName.get(body.username);
      if (!user || user.password !== body.password) {
        return answer(401, { error: { code: "bad_credentials", message: "wrong username or password" } });
      }
      return answer(200, { token: token(user), user: pub(user) });
    }
    if (!auth) return answer(401, { error: { code: "unauthorized", message: "a token is required" } });
    if (req.method === "GET" && url.pathname === "/api/me") return answer(200, pub(auth));
    if (req.method === "POST" && url.pathname === "/api/groups") {
      const id = newId();
      const members = [auth.id, ...(body.members as string[]).filter((m) => m !== auth.id)];
      groups.set(id, members);
      return answer(201, {
        id,
        name: body.name,
        members: members.map((m, i) => ({ id: m, role: i ? "member" : "admin" })),
      });
    }
    const history = url.pathname.match(/^\/api\/chats\/([^/]+)\/messages$/);
    if (req.method === "GET" && history) {
      const chat = decodeURIComponent(history[1] ?? "");
      const limit = Number(url.searchParams.get("limit") ?? 50);
      return answer(200, { messages: auth.mailbox.filter((m) => m.chat === chat).slice(-limit) });
    }
    return answer(404, { error: { code: "not_found", message: "not in the floor relay" } });
  }

  const server = createServer((req, res) => {
    onHttp(req, res).catch((err) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => protocols.values().next().value ?? false,
  });
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://floor");
    const protocol = req.headers["sec-websocket-protocol"]?.split(",")[0]?.trim();
    const user = tokens.get(url.searchParams.get("token") ?? protocol ?? "");
    if (url.pathname !== "/ws" || !user) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      user.sockets.add(ws);
      ws.on("message", (data) => onFrame(user, ws, data.toString()));
      ws.on("close", () => user.sockets.delete(ws));
      ws.on("error", () => user.sockets.delete(ws));
    });
  });

  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () => {
      const actual = (server.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${actual}`,
        port: actual,
        close: () =>
          new Promise<void>((done) => {
            for (const client of wss.clients) client.terminate();
            wss.close();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

// Started as its own process by the benchmark, so that its memory and CPU are
// measured apart from the load generator's, as the real server's are.
if (process.argv[1]?.endsWith("floor-relay.js")) {
  const at = process.argv.indexOf("--port");
  const relay = await startFloorRelay(at > 0 ? Number(process.argv[at + 1]) : 0);
  process.stdout.write(`listening ${relay.port}\n`);
  process.on("SIGTERM", () => relay.close().then(() => process.exit(0)));
}
