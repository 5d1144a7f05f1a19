// Fuzzing through the real Worker and the real sockets, with fast-check:
// bodies, queries and frames made from arbitrary JSON and from the schemas'
// shapes. Whatever arrives, the answer is never a 500 and never a crash; each
// refusal has the code the schema gives for that input (the schemas are the
// specification), and a refused request stores nothing.

import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError, isErrorCode } from "../shared/errors";
import { type AuthAnswer, FrameError, parseClientFrame } from "../shared/protocol";
import {
  createGroupBody,
  loginBody,
  parseBody,
  patchGroupBody,
  patchMeBody,
  registerBody,
  userIdBody,
} from "../shared/schemas/bodies";
import { parseJson, parseWith } from "../shared/schemas/check";
import { historyQuery, searchQuery, userLookupQuery } from "../shared/schemas/queries";
import { allShards } from "../shared/shards";
import { bodyText, frameText } from "../test/arbitraries";
import { api, connect, register, type TestSocket } from "../test/helpers";

type Refusal = { code: string; status: number; clientId?: string } | null;

/** What the schema says of an input: null if it passes, else the refusal it must earn. */
function refusalOf(check: () => unknown): Refusal {
  try {
    check();
    return null;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const clientId = err instanceof FrameError ? { clientId: err.clientId } : {};
    return { code: err.code, status: err.status, ...clientId };
  }
}

async function answerOf(res: Response): Promise<{ status: number; code?: string }> {
  expect(res.status).toBeLessThan(500);
  if (res.status < 400) return { status: res.status };
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(isErrorCode(body.error.code)).toBe(true);
  expect(body.error.message.length).toBeGreaterThan(0);
  return { status: res.status, code: body.error.code };
}

/** Accounts on every shard. */
async function userCount(): Promise<number> {
  let n = 0;
  for (const [, db] of allShards(env)) {
    n += (await db.prepare("SELECT count(*) AS n FROM users").first<{ n: number }>())?.n ?? 0;
  }
  return n;
}

/** What a refused body must leave as it was: the text of these answers, and the accounts. */
async function stateOf(who: AuthAnswer, paths: readonly string[]): Promise<string> {
  const parts = await Promise.all(paths.map(async (path) => (await api(path, { token: who.token })).text()));
  return `${await userCount()} ${parts.join(" ")}`;
}

const RUNS = { numRuns: 50, seed: 20261206 };

describe("fuzzing through the Worker", { timeout: 120_000 }, () => {
  it("bodies: the schema's code for every refusal, never a 500, nothing stored", async () => {
    const alice = await register();
    const bob = await register();
    const group = (await (
      await api("/api/groups", { method: "POST", token: alice.token, body: { name: "g" } })
    ).json()) as {
      id: string;
    };
    const routes = [
      { method: "POST", path: "/api/auth/register", schema: registerBody, state: [] },
      { method: "POST", path: "/api/auth/login", schema: loginBody, state: [] },
      { method: "PATCH", path: "/api/me", schema: patchMeBody, state: ["/api/me"] },
      { method: "POST", path: "/api/groups", schema: createGroupBody, max: 64 * 1024, state: ["/api/chats"] },
      {
        method: "POST",
        path: `/api/groups/${group.id}/members`,
        schema: userIdBody,
        state: [`/api/groups/${group.id}`],
      },
      {
        method: "PATCH",
        path: `/api/groups/${group.id}`,
        schema: patchGroupBody,
        state: [`/api/groups/${group.id}`, `/api/chats/g:${group.id}/messages`],
      },
      { method: "POST", path: "/api/me/blocked", schema: userIdBody, state: ["/api/me/blocked"] },
    ] as const;
    for (const route of routes) {
      const keys = Object.keys(("pipe" in route.schema ? route.schema.pipe[0] : route.schema).entries);
      await fc.assert(
        fc.asyncProperty(bodyText(keys), async (text) => {
          const tooLarge = new TextEncoder().encode(text).length > ("max" in route ? route.max : 16 * 1024);
          const expected = tooLarge
            ? { code: "too_large", status: 413 }
            : refusalOf(() => parseBody(route.schema, parseJson(text)));
          // A valid login or registration costs a password hash (PBKDF2): those are tested elsewhere.
          fc.pre(expected !== null || !route.path.startsWith("/api/auth/"));
          const before = expected ? await stateOf(alice, route.state) : "";
          const res = await api(route.path, { method: route.method, token: alice.token, body: text });
          const got = await answerOf(res);
          if (!expected) return;
          expect(got).toEqual({ status: expected.status, code: expected.code });
          expect(await stateOf(alice, route.state)).toBe(before);
        }),
        RUNS,
      );
    }
    // Still serving: bob's profile is as it was made.
    expect((await api("/api/me", { token: bob.token })).status).toBe(200);
  });

  it("queries and path segments: the schema's code, never a 500", async () => {
    const alice = await register();
    const chat = `u:${alice.user.id}`;
    const text = fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), fc.constantFrom("50", "0", "101", "1e2"));
    const query = fc.record({ q: text, limit: text, before: text, ids: text }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(query, async (params) => {
        const search = new URLSearchParams(params as Record<string, string>);
        const sent = Object.fromEntries(search);
        for (const [path, schema] of [
          [`/api/chats/${chat}/messages`, historyQuery],
          ["/api/search", searchQuery],
          ["/api/users", userLookupQuery],
        ] as const) {
          const expected = refusalOf(() => parseWith(schema, sent));
          const got = await answerOf(await api(`${path}?${search}`, { token: alice.token }));
          expect(got).toEqual(expected ? { status: expected.status, code: expected.code } : { status: 200 });
        }
      }),
      RUNS,
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", minLength: 1, maxLength: 40 }), async (segment) => {
        const s = encodeURIComponent(segment.toWellFormed());
        for (const path of [
          `/api/users/${s}`,
          `/api/groups/${s}`,
          `/api/chats/${s}/messages`,
          `/api/users/${s}/presence`,
        ]) {
          await answerOf(await api(path, { token: alice.token }));
        }
        await answerOf(await api(`/api/me/sessions/${s}`, { method: "DELETE", token: alice.token }));
      }),
      RUNS,
    );
  });

  it("frames: the schema's code for every refusal, the socket open, nothing stored", async () => {
    const users = await Promise.all([register(), register(), register(), register()]);
    const sockets = await Promise.all(users.map((u) => connect(u.token)));
    let turn = 0;
    await fc.assert(
      fc.asyncProperty(frameText, async (raw) => {
        const expected = refusalOf(() => parseClientFrame(raw));
        // Only frames the schema refuses: each must earn exactly its error, and store nothing.
        fc.pre(expected !== null);
        const socket = sockets[turn++ % sockets.length] as TestSocket;
        const errors = socket.of("error").length;
        socket.send(raw);
        await socket.until((s) => s.of("error").length > errors);
        const error = socket.of("error")[errors];
        expect(error).toEqual({ type: "error", message: expect.any(String), ...expected, status: undefined });
      }),
      { numRuns: 240, seed: 20261206 },
    );
    for (const socket of sockets) {
      expect(socket.closed).toBeNull();
      expect(socket.frames.filter((f) => typeof f === "string" || f.type !== "error")).toEqual([]);
      socket.send({ type: "sync", after: 0 });
      expect((await socket.next("synced")).seq).toBe(0);
    }
    // Every socket checked before any real send: a send's message may reach its peer's socket at once.
    for (const [i, socket] of sockets.entries()) {
      // Still serving: a real send is stored and answered.
      socket.send({ type: "send", clientId: "after-fuzz", chat: `u:${users[(i + 1) % 4]?.user.id}`, text: "hi" });
      await socket.next("sent");
      socket.close();
    }
  });
});
