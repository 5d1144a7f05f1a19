// The vocabulary of the authorization matrix (./authz-matrix.ts): the kinds
// of caller, the world each row runs in, and the shape of a row.

import type { AuthAnswer } from "../shared/protocol";

// The smallest valid PNG: a 1x1 transparent pixel.
export const TINY_PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);

export type Caller = "admin" | "member" | "removed" | "outsider" | "anonymous";
export const CALLERS: Caller[] = ["admin", "member", "removed", "outsider", "anonymous"];

export interface World {
  users: Record<Exclude<Caller, "anonymous">, AuthAnswer>;
  groupId: string;
  /** A message the admin sent to the group after the removal. */
  messageId: string;
  /** A photo the admin sent to the group before the removal. */
  mediaId: string;
  /** The admin's upload in parts, one part of TINY_PNG's size, begun and not finished. */
  uploadId: string;
}

export interface Row {
  method: string;
  /** The route as the router knows it. */
  route: string;
  /** The concrete request for one world. */
  path: (w: World) => string;
  body?: (w: World) => unknown;
  expect: Record<Caller, number>;
  /** Needs a world of its own per caller (the call changes membership). */
  fresh?: boolean;
}
