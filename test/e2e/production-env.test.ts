// The production environment of wrangler.toml, run locally (`wrangler dev
// --env production`): with the development secret it refuses every API call
// and writes nothing; restarted on the same state with a real secret, it serves.

import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { AuthAnswer } from "../../src/shared/protocol";
import { http, RawSocket } from "../support/raw-socket";
import { newStateDir, type RunningServer, startServer } from "../support/server";

let server: RunningServer | undefined;
afterAll(async () => server?.stop());

describe("wrangler dev --env production", () => {
  it("refuses the development secret on every API route, stores nothing, and serves once the secret is real", async () => {
    const state = newStateDir();
    const devSecret = `dev_${randomBytes(48).toString("base64url")}`; // what scripts/dev-secret.mjs writes
    server = await startServer({ env: "production", persistTo: state, vars: { JWT_SECRET: devSecret } });
    for (const path of ["/api/health", "/api/me"]) {
      const res = await http<{ error: { code: string } }>(server.url, path);
      expect([path, res.status, res.body.error.code]).toEqual([path, 503, "unavailable"]);
    }
    const username = `prod_${Date.now().toString(36)}`;
    const body = { username, password: "a long password" };
    expect((await http(server.url, "/api/auth/register", { method: "POST", body })).status).toBe(503);
    await expect(RawSocket.open(server.url, "any-token")).rejects.toThrow();
    await server.stop();

    // The operator sets a real secret (`wrangler secret put`); same state.
    const secret = randomBytes(48).toString("base64url");
    server = await startServer({ env: "production", persistTo: state, vars: { JWT_SECRET: secret } });
    const health = await http(server.url, "/api/health");
    expect(health).toMatchObject({ status: 200, body: { ok: true, environment: "production" } });
    // The refused registration left nothing behind: the name is still free.
    const alice = await http<AuthAnswer>(server.url, "/api/auth/register", { method: "POST", body });
    expect(alice.status).toBe(201);
    const socket = await RawSocket.open(server.url, alice.body.token);
    socket.send({ type: "send", clientId: "c1", chat: `u:${alice.body.user.id}`, text: "note to self" });
    await socket.next("sent");
    socket.close();
  }, 180_000);
});
