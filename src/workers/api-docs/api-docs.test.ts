// The published documents, in the Workers runtime: /api/openapi.json is a
// valid OpenAPI 3.1 document and /api/asyncapi.json a valid AsyncAPI 3.1 one
// (checked against their specifications' JSON Schemas, with a validator that
// runs on Workers), every route of the Hono app is in the OpenAPI document
// and nothing else is, and /api/docs is served under its own policy.

import asyncApiSpec from "@asyncapi/specs/schemas/3.1.0-without-$id.json";
import { Validator } from "@cfworker/json-schema";
import openApiSpec from "@seriousme/openapi-schema-validator/schemas/v3.1/schema.json";
import { describe, expect, it } from "vitest";
import { CLIENT_FRAMES } from "../../shared/schemas/client-frames";
import { SERVER_FRAMES } from "../../shared/schemas/server-frames";
import { api } from "../../test/helpers";
import { app } from "../app";
import { DOCS_CSP } from "./routes";

type Json = Record<string, unknown>;

async function document(path: string): Promise<Json> {
  const res = await api(path);
  expect(res.status).toBe(200);
  expect(res.headers.get("Content-Type")).toContain("application/json");
  return res.json();
}

function errorsOf(spec: unknown, draft: "2020-12" | "7", doc: Json): unknown[] {
  return new Validator(spec as never, draft, false).validate(doc).errors;
}

/** The app's routes as OpenAPI paths: `/api/chats/:chat/messages` is `/api/chats/{chat}/messages`. */
function appRoutes(): string[] {
  const routes = app.routes
    .filter((route) => route.method !== "ALL")
    .map((route) => {
      const path = route.path.replace(/:(\w+)/g, "{$1}").replace(/(.)\/$/, "$1");
      return `${route.method.toLowerCase()} ${path}`;
    });
  return [...new Set(routes)].sort();
}

describe("GET /api/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const doc = await document("/api/openapi.json");
    expect(doc.openapi).toBe("3.1.0");
    expect(errorsOf(openApiSpec, "2020-12", doc)).toEqual([]);
    // The validator does refuse a broken one.
    expect(errorsOf(openApiSpec, "2020-12", { ...doc, info: { title: 1 } })).not.toEqual([]);
  });

  it("names every route of the app, and no other", async () => {
    const doc = await document("/api/openapi.json");
    const paths = doc.paths as Record<string, Json>;
    const documented = Object.entries(paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`))
      .sort();
    expect(appRoutes().length).toBeGreaterThan(25);
    expect(documented).toEqual(appRoutes());
  });

  it("describes bodies and queries from the schemas, unknown keys refused", async () => {
    const doc = await document("/api/openapi.json");
    const paths = doc.paths as Record<string, Record<string, Json>>;
    const register = paths["/api/auth/register"]?.post?.requestBody as Json;
    expect(register).toMatchObject({
      content: {
        "application/json": {
          schema: { type: "object", required: ["username", "password"], additionalProperties: false },
        },
      },
    });
    const history = paths["/api/chats/{chat}/messages"]?.get?.parameters as Json[];
    expect(history.map((p) => `${p.in} ${p.name}`)).toEqual(["path chat", "query before", "query limit"]);
    const send = paths["/api/groups"]?.post?.responses as Json;
    expect(send["201"]).toMatchObject({
      content: { "application/json": { schema: { $ref: "#/components/schemas/Group" } } },
    });
  });
});

describe("GET /api/asyncapi.json", () => {
  it("is a valid AsyncAPI 3.1 document with every frame of both sides", async () => {
    const doc = await document("/api/asyncapi.json");
    expect(doc.asyncapi).toBe("3.1.0");
    expect(errorsOf(asyncApiSpec, "7", doc)).toEqual([]);
    expect(errorsOf(asyncApiSpec, "7", { ...doc, channels: { socket: { address: 7 } } })).not.toEqual([]);
    const messages = Object.keys((doc.channels as Record<string, Json>).socket?.messages as Json);
    for (const type of Object.keys(CLIENT_FRAMES)) expect(messages).toContain(`client.${type}`);
    for (const type of Object.keys(SERVER_FRAMES)) expect(messages).toContain(`server.${type}`);
  });
});

describe("GET /api/docs", () => {
  it("serves the reference page from our own origin, under its own policy", async () => {
    const res = await api("/api/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Security-Policy")).toBe(DOCS_CSP);
    const html = await res.text();
    expect(html).toContain('src="/api-docs/swagger-ui-bundle.js"');
    expect(html).not.toMatch(/https?:\/\//);
    const init = await api("/api/docs/init.js");
    expect(await init.text()).toContain('url: "/api/openapi.json"');
  });
});
