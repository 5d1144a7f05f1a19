// The shape of one entry of the route table (route-table.ts): enough to
// write the route into the OpenAPI document.

import type { GenericSchema } from "valibot";

export type Method = "get" | "post" | "put" | "patch" | "delete";

/** An answer: its description, and its JSON body's schema, or a media type for other bodies. */
export interface Answer {
  description: string;
  body?: GenericSchema;
  media?: string;
}

export interface RouteDoc {
  method: Method;
  /** OpenAPI style: `/api/chats/{chat}/messages`. */
  path: string;
  summary: string;
  tag: string;
  /** Needs `Authorization: Bearer <token>`. */
  auth: boolean;
  params?: Record<string, GenericSchema>;
  query?: GenericSchema;
  body?: GenericSchema;
  /** A body that is not JSON: its media types. */
  rawBody?: string[];
  answers: Record<number, Answer>;
  /** Error codes this route may answer, by status (the body is always Error). */
  errors?: Record<number, string>;
}

/** One entry: method, path, summary, tag and auth, then the rest. */
export function r(
  method: Method,
  path: string,
  summary: string,
  tag: string,
  auth: boolean,
  answers: Record<number, Answer>,
  more: Partial<RouteDoc> = {},
): RouteDoc {
  return { method, path, summary, tag, auth, answers, ...more };
}
