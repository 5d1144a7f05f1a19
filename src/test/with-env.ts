// Calls the real Worker app, in the Workers runtime with the real bindings,
// but with some vars changed (ENVIRONMENT, JWT_SECRET, ADMIN_USER_IDS...):
// how one test file sees the same code under another deployment's settings.

import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { app } from "../workers/app";
import { BASE } from "./helpers";

export async function fetchWith(
  overrides: Partial<Record<keyof Env, unknown>>,
  path: string,
  init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("Authorization", `Bearer ${init.token}`);
  let body: string | Uint8Array | undefined;
  if (init.body instanceof Uint8Array) body = init.body;
  else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers.set("Content-Type", "application/json");
  }
  const request = new Request(`${BASE}${path}`, { method: init.method ?? "GET", headers, body });
  const ctx = createExecutionContext();
  const response = await app.fetch(request, { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}
