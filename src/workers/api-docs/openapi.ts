// The OpenAPI 3.1 document of the HTTP API, made from the route table and
// the schemas (JSON Schema 2020-12, the dialect OpenAPI 3.1 uses).

import type { JsonSchema } from "@valibot/to-json-schema";
import { version } from "../../../package.json";
import { entriesOf } from "../../shared/schemas/check";
import { jsonSchema, namedSchemas } from "./json-schema";
import type { Answer, RouteDoc } from "./route-doc";
import { ROUTES } from "./route-table";

const REF = "#/components/schemas/";
type Json = Record<string, unknown>;

function schema(s: Parameters<typeof jsonSchema>[0]): JsonSchema {
  return jsonSchema(s, "draft-2020-12", REF);
}

function parameters(route: RouteDoc): Json[] {
  const out: Json[] = [];
  for (const [name, s] of Object.entries(route.params ?? {})) {
    out.push({ name, in: "path", required: true, schema: schema(s) });
  }
  if (route.query) {
    const query = schema(route.query) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const name of Object.keys(entriesOf(route.query) ?? {})) {
      const property = query.properties?.[name] ?? {};
      out.push({ name, in: "query", required: query.required?.includes(name) ?? false, schema: property });
    }
  }
  return out;
}

function answer(a: Answer): Json {
  if (a.body) return { description: a.description, content: { "application/json": { schema: schema(a.body) } } };
  if (a.media) return { description: a.description, content: { [a.media]: {} } };
  return { description: a.description };
}

function operation(route: RouteDoc): Json {
  const responses: Json = {};
  for (const [status, a] of Object.entries(route.answers)) responses[status] = answer(a);
  for (const [status, codes] of Object.entries(route.errors ?? {})) {
    responses[status] = { $ref: "#/components/responses/Error", description: codes };
  }
  responses["4XX"] ??= { $ref: "#/components/responses/Error" };
  const op: Json = {
    operationId: `${route.method}${route.path.replace(/[{}]/g, "").replace(/[/.](\w)/g, (_, c: string) => c.toUpperCase())}`,
    summary: route.summary,
    tags: [route.tag],
    responses,
  };
  const params = parameters(route);
  if (params.length > 0) op.parameters = params;
  if (route.body) op.requestBody = { required: true, content: { "application/json": { schema: schema(route.body) } } };
  if (route.rawBody) {
    op.requestBody = { required: true, content: Object.fromEntries(route.rawBody.map((m) => [m, {}])) };
  }
  if (!route.auth) op.security = [];
  return op;
}

/** The document; made once per isolate. */
export function openApiDocument(): Json {
  const paths: Record<string, Json> = {};
  for (const route of ROUTES) {
    paths[route.path] ??= {};
    (paths[route.path] as Json)[route.method] = operation(route);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "edge-chat HTTP API",
      version,
      description:
        "A WhatsApp-style messaging service. Errors are {error: {code, message}}; clients branch on code. " +
        "The WebSocket frames of /ws are in /api/asyncapi.json. Prose: docs/protocol.md.",
    },
    servers: [{ url: "/", description: "this server" }],
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: namedSchemas("draft-2020-12", REF),
      responses: {
        Error: {
          description: "an error: {error: {code, message}}",
          content: { "application/json": { schema: { $ref: `${REF}Error` } } },
        },
      },
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    },
  };
}
