// The runtime floor: the least a relay speaking our protocol can do on the
// same runtime as the real server (workerd via `wrangler dev`), with the same
// durability: one SQLite-backed Durable Object per user, one insert per
// mailbox entry, `sent` only once it is committed. Beside the server and the
// Node floor (bench/floor-relay.ts) it separates the runtime's cost (one
// workerd thread for every object, an fsync per commit) from ours.
//
// Left out on purpose: auth (the token is the user id; register and login
// only keep a name in this isolate's memory), rate limits, presence, search,
// the outbox (the recipient is called directly). Groups: ./group-floor.ts.

import { GroupFloor } from "./group-floor";
import { UserFloor } from "./user-floor";

export { GroupFloor, UserFloor };

interface Env {
  USERS: DurableObjectNamespace<UserFloor>;
  GROUPS: DurableObjectNamespace<GroupFloor>;
}

interface FloorUser {
  id: string;
  username: string;
  password: string;
}

// Registered users, in this isolate only (`wrangler dev` runs one): enough
// for a benchmark run, which registers its users anew every time.
const byName = new Map<string, FloorUser>();
const byId = new Map<string, FloorUser>();

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
function randomId(): string {
  let out = "";
  for (const b of crypto.getRandomValues(new Uint8Array(16))) out += ALPHABET[b & 31];
  return out;
}

function json(status: number, body: unknown, headers?: HeadersInit): Response {
  const res = new Response(JSON.stringify(body), { status, headers });
  res.headers.set("Content-Type", "application/json");
  return res;
}

function refuse(status: number, code: string, message: string): Response {
  return json(status, { error: { code, message } });
}

const pub = (u: FloorUser) => ({ id: u.id, username: u.username, displayName: u.username, about: "" });

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    if (request.method === "POST" && path === "/api/auth/register") {
      const body = (await request.json()) as { username: string; password: string };
      if (byName.has(body.username)) return refuse(409, "username_taken", "taken");
      const user = { id: randomId(), username: body.username, password: body.password };
      byName.set(user.username, user);
      byId.set(user.id, user);
      return json(201, { token: user.id, user: pub(user) });
    }
    if (request.method === "POST" && path === "/api/auth/login") {
      const body = (await request.json()) as { username: string; password: string };
      const user = byName.get(body.username);
      if (!user || user.password !== body.password) return refuse(401, "bad_credentials", "wrong username or password");
      return json(200, { token: user.id, user: pub(user) });
    }

    if (path === "/ws") {
      // Browsers cannot set headers on a WebSocket: the token comes as the
      // Sec-WebSocket-Protocol value (echoed in the 101) or in the query.
      const protocol = request.headers.get("Sec-WebSocket-Protocol")?.split(",")[0]?.trim();
      const user = byId.get(url.searchParams.get("token") ?? protocol ?? "");
      if (!user) return refuse(401, "unauthorized", "a token is required");
      const headers = new Headers(request.headers);
      headers.set("x-user-id", user.id);
      if (protocol) headers.set("x-echo-protocol", protocol);
      return stubOf(env, user.id).fetch(new Request(request.url, { method: "GET", headers }));
    }

    const user = byId.get(request.headers.get("Authorization")?.replace(/^Bearer /, "") ?? "");
    if (!user) return refuse(401, "unauthorized", "a token is required");
    if (request.method === "GET" && path === "/api/me") return json(200, pub(user));
    if (request.method === "POST" && path === "/api/groups") {
      const body = (await request.json()) as { name: string; members: string[] };
      const id = randomId();
      const members = [user.id, ...body.members.filter((m) => m !== user.id)];
      await env.GROUPS.get(env.GROUPS.idFromName(id)).create(id, members);
      return json(201, { id, name: body.name, members: members.map((m) => ({ id: m, role: "member" })) });
    }
    const history = path.match(/^\/api\/chats\/([^/]+)\/messages$/);
    if (request.method === "GET" && history) {
      const chat = decodeURIComponent(history[1] ?? "");
      const limit = Number(url.searchParams.get("limit") ?? 50);
      return json(200, { messages: await stubOf(env, user.id).history(chat, limit) });
    }
    return refuse(404, "not_found", "not in the runtime floor");
  },
} satisfies ExportedHandler<Env>;

function stubOf(env: Env, userId: string): DurableObjectStub<UserFloor> {
  return env.USERS.get(env.USERS.idFromName(userId));
}
