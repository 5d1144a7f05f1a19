// The published documents against the specifications' own tools, in Node
// (they compile schemas to code, which the Workers runtime forbids; the
// Workers-runtime check is src/workers/api-docs/api-docs.test.ts): the
// OpenAPI document with @seriousme/openapi-schema-validator, the AsyncAPI one
// with @asyncapi/parser, which also checks every $ref and the operations.

import { Parser } from "@asyncapi/parser";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { CLIENT_FRAMES } from "../../src/shared/schemas/client-frames";
import { SERVER_FRAMES } from "../../src/shared/schemas/server-frames";
import { asyncApiDocument } from "../../src/workers/api-docs/asyncapi";
import { openApiDocument } from "../../src/workers/api-docs/openapi";

describe("the API documents", () => {
  it("OpenAPI: valid 3.1, every $ref resolved", async () => {
    const result = await new Validator().validate(openApiDocument());
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it("AsyncAPI: parsed by @asyncapi/parser without an error or a warning", async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(asyncApiDocument()));
    // Spectral's severities: 0 error, 1 warning, 2 information, 3 hint.
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message}`)).toEqual([]);
    expect(
      document
        ?.operations()
        .all()
        .map((op) => op.action()),
    ).toEqual(["receive", "send"]);
    // One message per frame type, each way, and the heartbeat's ping and pong.
    const frames = Object.keys(CLIENT_FRAMES).length + Object.keys(SERVER_FRAMES).length;
    expect(frames).toBeGreaterThanOrEqual(20);
    expect(document?.messages().all().length).toBe(frames + 2);
  });
});
