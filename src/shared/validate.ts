// A small checker for untrusted JSON: each helper either returns the typed
// value or throws an AppError naming the field. Objects are rebuilt from the
// fields we know, so stray keys (`__proto__` included) never travel further.

import { AppError, type ErrorCode } from "./errors";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Fields = Record<string, unknown>;

export function parseJson(text: string, code: ErrorCode = "invalid_json"): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError(code, "body is not valid JSON");
  }
}

export function object(value: unknown, what = "body", code: ErrorCode = "invalid_body"): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AppError(code, `${what} must be a JSON object`);
  }
  return value as Fields;
}

function invalid(field: string, why: string, code: ErrorCode = "invalid_field"): never {
  throw new AppError(code, `${field} ${why}`);
}

export function string(
  fields: Fields,
  field: string,
  opts: { min?: number; max?: number; pattern?: RegExp; code?: ErrorCode } = {},
): string {
  const value = fields[field];
  if (typeof value !== "string") invalid(field, "must be a string", opts.code);
  const length = codePoints(value);
  if (opts.min !== undefined && length < opts.min) invalid(field, `must be at least ${opts.min} characters`, opts.code);
  if (opts.max !== undefined && length > opts.max) invalid(field, `must be at most ${opts.max} characters`, opts.code);
  if (opts.pattern && !opts.pattern.test(value)) invalid(field, "has an invalid format", opts.code);
  return value;
}

export function optionalString(
  fields: Fields,
  field: string,
  opts: { min?: number; max?: number; pattern?: RegExp; code?: ErrorCode } = {},
): string | undefined {
  return fields[field] === undefined ? undefined : string(fields, field, opts);
}

export function optionalBoolean(fields: Fields, field: string): boolean | undefined {
  const value = fields[field];
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") invalid(field, "must be true or false");
  return value;
}

export function integer(fields: Fields, field: string, opts: { min?: number; max?: number } = {}): number {
  const value = fields[field];
  if (typeof value !== "number" || !Number.isSafeInteger(value)) invalid(field, "must be an integer");
  if (opts.min !== undefined && value < opts.min) invalid(field, `must be at least ${opts.min}`);
  if (opts.max !== undefined && value > opts.max) invalid(field, `must be at most ${opts.max}`);
  return value;
}

export function stringArray(
  fields: Fields,
  field: string,
  opts: { min?: number; max?: number; pattern?: RegExp },
): string[] {
  const value = fields[field];
  if (!Array.isArray(value)) invalid(field, "must be an array");
  if (opts.min !== undefined && value.length < opts.min) invalid(field, `must have at least ${opts.min} entries`);
  if (opts.max !== undefined && value.length > opts.max) invalid(field, `must have at most ${opts.max} entries`);
  const out: string[] = [];
  for (const item of value) {
    if (typeof item !== "string" || (opts.pattern && !opts.pattern.test(item))) {
      invalid(field, "must hold only valid ids");
    }
    out.push(item);
  }
  return out;
}

export function oneOf<T extends string>(fields: Fields, field: string, values: readonly T[]): T {
  const value = fields[field];
  if (typeof value !== "string" || !(values as readonly string[]).includes(value)) {
    invalid(field, `must be one of ${values.join(", ")}`);
  }
  return value as T;
}

/** Length in Unicode code points, so an emoji counts as one character. */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
