// Running a schema on untrusted input: the one place where a valibot issue
// becomes an AppError. The first issue wins (abortEarly), in the order of the
// schema's fields, so the answer names the first bad field as before.
//
// A message may carry its own code as `code: text` (see `says`); any other
// issue is invalid_field, worded from the issue and its path: "<field> <why>"
// (worded once the path is known, so the field shared by many shapes, a
// message id say, is named by where it stood).
//
// The helpers that build schemas are marked free of side effects, as
// valibot's own are, so a bundle that imports no schema carries none.

import * as v from "valibot";
import { AppError, type ErrorCode, isErrorCode } from "../errors";
import { codePoints } from "../text-rules";

/** A message for a schema or action that answers with its own code. */
/* @__NO_SIDE_EFFECTS__ */
export function says(code: ErrorCode, text: string): string {
  return `${code}: ${text}`;
}

const CODED = /^([a-z_]+): ([\s\S]*)$/;

type LengthAction = v.BaseValidation<string, string, v.BaseIssue<string>> & {
  readonly requirement: number;
  readonly message: string | undefined;
};

/**
 * minLength/maxLength counted in code points (as JSON Schema counts a
 * string's length), not UTF-16 units. Same `type` and `requirement` as
 * valibot's own, so the JSON Schema converter writes minLength/maxLength.
 */
/* @__NO_SIDE_EFFECTS__ */
function codePointLength(type: "min_length" | "max_length", requirement: number, message?: string): LengthAction {
  const tooShort = type === "min_length";
  return {
    kind: "validation",
    type,
    reference: tooShort ? minChars : maxChars,
    async: false,
    expects: `${tooShort ? ">=" : "<="}${requirement}`,
    requirement,
    message,
    "~run"(dataset, config) {
      if (dataset.typed) {
        const length = codePoints(dataset.value);
        if (tooShort ? length < requirement : length > requirement) {
          const issue = {
            kind: "validation" as const,
            type,
            input: dataset.value,
            expected: this.expects,
            received: `${length}`,
            requirement,
          };
          const wording = message ?? config.message;
          const text = typeof wording === "function" ? wording({ ...issue, message: "" }) : (wording ?? GENERIC);
          const full: v.BaseIssue<string> = { ...issue, message: text };
          dataset.issues = [...(dataset.issues ?? []), full] as typeof dataset.issues;
          (dataset as { typed: boolean }).typed = false;
        }
      }
      return dataset;
    },
  };
}

/* @__NO_SIDE_EFFECTS__ */
export function minChars(requirement: number, message?: string): LengthAction {
  return codePointLength("min_length", requirement, message);
}

/* @__NO_SIDE_EFFECTS__ */
export function maxChars(requirement: number, message?: string): LengthAction {
  return codePointLength("max_length", requirement, message);
}

/** Stands for "no message of its own": worded by `generic` once the issue has its path. */
const GENERIC = "\u0000generic";

/** The wording of an issue whose schema gave no message of its own. */
function generic(issue: v.BaseIssue<unknown>): string {
  const [first, ...rest] = issue.path ?? [];
  const field = typeof first?.key === "string" ? first.key : "value";
  if (rest.length > 0) return `${field} must hold only valid ids`;
  const many = Array.isArray(issue.input) ? "entries" : "characters";
  switch (issue.type) {
    case "string":
      return `${field} must be a string`;
    case "number":
    case "integer":
    case "safe_integer":
      return `${field} must be an integer`;
    case "boolean":
      return `${field} must be true or false`;
    case "array":
      return `${field} must be an array`;
    case "picklist":
      return `${field} must be one of ${String(issue.expected)
        .replace(/^\((.*)\)$/, "$1")
        .replaceAll('"', "")
        .split(" | ")
        .join(", ")}`;
    case "min_length":
      return `${field} must ${many === "entries" ? "have" : "be"} at least ${issue.requirement} ${many}`;
    case "max_length":
      return `${field} must ${many === "entries" ? "have" : "be"} at most ${issue.requirement} ${many}`;
    case "min_value":
      return `${field} must be at least ${issue.requirement}`;
    case "max_value":
      return `${field} must be at most ${issue.requirement}`;
    case "regex":
      return `${field} has an invalid format`;
    default:
      return `${field} is invalid`;
  }
}

const CONFIG: v.Config<v.BaseIssue<unknown>> = { abortEarly: true, message: GENERIC };

/** The issue as an AppError: its own code when the message carries one, else invalid_field. */
export function issueError(issue: v.BaseIssue<unknown>): AppError {
  if (issue.message === GENERIC) return new AppError("invalid_field", generic(issue));
  const coded = CODED.exec(issue.message);
  if (coded?.[1] && isErrorCode(coded[1])) return new AppError(coded[1], coded[2] ?? "");
  return new AppError("invalid_field", issue.message);
}

/**
 * The schema's output for `input`, or an AppError for its first issue. The
 * text rules (shared/text-rules.ts) run inside the schemas and throw their
 * own AppError, which passes through unchanged.
 */
export function parseWith<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input, CONFIG);
  if (result.success) return result.output;
  const [issue] = result.issues;
  throw issueError(missingField(schema, issue) ?? issue);
}

/**
 * valibot reports a missing key as an issue of the object ("Invalid key");
 * the answer names the field as if it were there with the wrong type, in the
 * field's own words (its code included): "q is required", "after must be an integer".
 */
function missingField(schema: v.GenericSchema, issue: v.BaseIssue<unknown>): v.BaseIssue<unknown> | undefined {
  const [item, ...rest] = issue.path ?? [];
  if (item?.origin !== "key" || rest.length > 0 || typeof item.key !== "string") return undefined;
  const entry = entriesOf(schema)?.[item.key];
  if (!entry) return undefined;
  const result = v.safeParse(entry, undefined, CONFIG);
  const [fieldIssue] = result.issues ?? [];
  return fieldIssue && { ...fieldIssue, path: [item] };
}

/** The entries of an object schema, or of the object a pipe starts with. */
export function entriesOf(schema: unknown): v.ObjectEntries | undefined {
  const s = schema as { entries?: v.ObjectEntries; pipe?: readonly unknown[] };
  if (s.entries) return s.entries;
  return s.pipe ? entriesOf(s.pipe[0]) : undefined;
}

/** A JSON object, not null or an array: else `code` (invalid_body for bodies, bad_frame for frames). */
export function asObject(value: unknown, what: string, code: ErrorCode): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AppError(code, `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** JSON text, or `code` (invalid_json for bodies, bad_frame for frames). */
export function parseJson(text: string, code: ErrorCode = "invalid_json"): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError(code, "body is not valid JSON");
  }
}
