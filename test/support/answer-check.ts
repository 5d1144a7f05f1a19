// Every answer an end-to-end test sees is checked against the published
// schemas, so the OpenAPI and AsyncAPI documents cannot drift from the code:
// each JSON answer of /api/* against its route's answer (route-table.ts) or
// the Error shape, and each frame of every WebSocket against the server
// frames (server-frames.ts). A key the schema does not name is a drift too.
// A setup file of the e2e project: it wraps fetch and WebSocket, and fails
// the test during which a wrong answer arrived (test/bench is left out).

import { isDeepStrictEqual } from "node:util";
import * as v from "valibot";
import { afterEach, expect } from "vitest";
import { errorBodySchema } from "../../src/shared/schemas/objects";
import { serverFrame } from "../../src/shared/schemas/server-frames";
import type { RouteDoc } from "../../src/workers/api-docs/route-doc";
import { ROUTES } from "../../src/workers/api-docs/route-table";

const drifts: string[] = [];

/**
 * The benchmark's smoke run (test/bench) also talks to the runtime floors,
 * relays with ids of their own that are not this server: not checked.
 */
function checked(): boolean {
  return !expect.getState().testPath?.includes("/test/bench/");
}

/** Whether `value` is exactly what `schema` describes: valid, and no key it does not name. */
function drift(schema: v.GenericSchema, value: unknown): string | undefined {
  const result = v.safeParse(schema, value);
  if (!result.success) {
    const issue = result.issues[0];
    return `${v.getDotPath(issue) ?? "(root)"}: ${issue.message}`;
  }
  return isDeepStrictEqual(result.output, value) ? undefined : "holds a key the schema does not name";
}

const MATCHERS = ROUTES.map((route: RouteDoc) => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/\{\w+\}/g, "[^/]+").replaceAll(".", "\\.")}$`),
}));

function routeOf(method: string, path: string): RouteDoc | undefined {
  return MATCHERS.find((m) => m.route.method === method && m.pattern.test(path))?.route;
}

async function checkAnswer(method: string, url: URL, res: Response): Promise<void> {
  if (!checked() || !url.pathname.startsWith("/api/") || !res.headers.get("Content-Type")?.includes("application/json"))
    return;
  const route = routeOf(method, url.pathname);
  const what = `${method.toUpperCase()} ${url.pathname} ${res.status}`;
  if (!route) {
    if (res.status < 400) drifts.push(`${what}: a route the OpenAPI document does not name`);
    return;
  }
  if (route.path.endsWith(".json")) return; // the documents themselves
  const schema = route.answers[res.status]?.body ?? (res.status >= 400 ? errorBodySchema : undefined);
  if (!schema) {
    drifts.push(`${what}: a status the OpenAPI document does not name`);
    return;
  }
  const problem = drift(schema, await res.clone().json());
  if (problem) drifts.push(`${what}: ${problem}`);
}

const originalFetch = globalThis.fetch;
globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const res = await originalFetch(input, init);
  const request = input instanceof Request ? input : undefined;
  const method = (init?.method ?? request?.method ?? "GET").toLowerCase();
  await checkAnswer(method, new URL(request ? request.url : String(input)), res);
  return res;
};

function checkFrame(event: MessageEvent): void {
  if (!checked() || typeof event.data !== "string" || event.data === "pong") return;
  const frame = JSON.parse(event.data) as unknown;
  const problem = drift(serverFrame, frame);
  if (problem) drifts.push(`frame ${event.data.slice(0, 200)}: ${problem}`);
}

class CheckedWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    this.addEventListener("message", checkFrame);
  }
}
globalThis.WebSocket = CheckedWebSocket;

afterEach(() => {
  expect(drifts.splice(0), "answers that the published schemas do not describe").toEqual([]);
});
