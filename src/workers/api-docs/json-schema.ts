// valibot schemas as JSON Schema, for the documents: the named shapes
// (answers.ts NAMED_SCHEMAS) become references to `refBase` + name.
// Checks that JSON Schema cannot say (the text rules, a transform) are left
// out; the descriptions say them in words.

import { type ConversionConfig, type JsonSchema, toJsonSchema, toJsonSchemaDefs } from "@valibot/to-json-schema";
import type { GenericSchema } from "valibot";
import { NAMED_SCHEMAS } from "../../shared/schemas/answers";

export type Target = "draft-2020-12" | "draft-07";

function config(target: Target, refBase: string): ConversionConfig {
  return {
    target,
    errorMode: "ignore",
    typeMode: "input",
    definitions: NAMED_SCHEMAS,
    overrideRef: ({ referenceId }) => `${refBase}${referenceId}`,
  };
}

/** One schema, referring to the named ones; without `$schema` and `$defs` (the document holds those). */
export function jsonSchema(schema: GenericSchema, target: Target, refBase: string): JsonSchema {
  const { $schema: _schema, $defs: _defs, ...rest } = toJsonSchema(schema, config(target, refBase));
  return rest;
}

/** The named shapes themselves, referring to one another. */
export function namedSchemas(target: Target, refBase: string): Record<string, JsonSchema> {
  const { definitions: _definitions, ...rest } = config(target, refBase);
  return toJsonSchemaDefs(NAMED_SCHEMAS, rest);
}
