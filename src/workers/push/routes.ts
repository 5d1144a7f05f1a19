// GET/POST/DELETE /api/me/push: Web Push subscriptions for closed tabs
// (docs/protocol.md, "Web Push"). GET gives the server's VAPID public key
// (the page's applicationServerKey); POST stores the browser's
// PushSubscription in the caller's user object, which pushes to it when a
// message arrives and no device of the user is connected; DELETE forgets it.
// A bad endpoint or keys is 400 invalid_field and nothing is stored.

import { Hono } from "hono";
import { AppError } from "../../shared/errors";
import { base64UrlBytes, parseEndpointBody, parsePushBody } from "../../shared/push";
import type { AppEnv } from "../app-env";
import { requireAuth } from "../auth/middleware";
import { readJson } from "../http";

export const pushRoutes = new Hono<AppEnv>();
pushRoutes.use(requireAuth);

pushRoutes.get("/", (c) => c.json({ publicKey: c.env.VAPID_PUBLIC_KEY ?? null }));

pushRoutes.post("/", async (c) => {
  const sub = parsePushBody(await readJson(c), loopbackAllowed(c.env));
  // The key must be a point on the curve, or every push to it would fail.
  try {
    await crypto.subtle.importKey(
      "raw",
      base64UrlBytes(sub.p256dh) ?? new Uint8Array(),
      { name: "ECDH", namedCurve: "P-256" },
      false,
      [],
    );
  } catch {
    throw new AppError("invalid_field", "keys.p256dh is not a P-256 public key");
  }
  const { userId, sessionId } = c.get("auth");
  await userObject(c.env, userId).addPush(sub, sessionId);
  return c.json({ endpoint: sub.endpoint }, 201);
});

pushRoutes.delete("/", async (c) => {
  const endpoint = parseEndpointBody(await readJson(c), loopbackAllowed(c.env));
  await userObject(c.env, c.get("auth").userId).removePush(endpoint);
  return c.body(null, 204);
});

/** Outside production, an http endpoint on loopback (the end-to-end test's push receiver) is taken. */
function loopbackAllowed(env: Env): boolean {
  return env.ENVIRONMENT !== "production";
}

function userObject(env: Env, id: string) {
  return env.USERS.get(env.USERS.idFromName(id));
}
