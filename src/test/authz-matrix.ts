// The authorization matrix as data: every HTTP route and the frames about a
// group chat, against every kind of caller. src/workers/authz.test.ts runs it
// (and checks it against the router's own list of routes); docs/security.md
// shows it as a table rendered by `matrixTable`, and the same test fails if
// that table is not the one rendered from these rows.

import type { AuthAnswer } from "../shared/protocol";

// The smallest valid PNG: a 1x1 transparent pixel.
export const TINY_PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);

// A browser's push keys: a P-256 public point and a 16-byte secret (base64url).
const PUSH_KEYS = {
  p256dh: "BIVosx6LYA-auFQSzHo0R4NSQSjSFu-ddaheEHwT05ggTm_4f8FPlGAJAirzRSjHCph54_ixyyagADWqH-JJJRc",
  auth: "AAECAwQFBgcICQoLDA0ODw",
};

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

/** The session id inside a token (its `sid` claim). */
function sessionOf(token: string): string {
  const payload = token.split(".")[1] ?? "";
  return (JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { sid: string }).sid;
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

export const ROWS: Row[] = [
  {
    method: "GET",
    route: "/api/health",
    path: () => "/api/health",
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 200 },
  },
  {
    // The API's documents and reference page: public, like the API's shape itself.
    method: "GET",
    route: "/api/openapi.json",
    path: () => "/api/openapi.json",
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 200 },
  },
  {
    // The API's documents and reference page: public, like the API's shape itself.
    method: "GET",
    route: "/api/asyncapi.json",
    path: () => "/api/asyncapi.json",
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 200 },
  },
  {
    // The API's documents and reference page: public, like the API's shape itself.
    method: "GET",
    route: "/api/docs",
    path: () => "/api/docs",
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 200 },
  },
  {
    // The API's documents and reference page: public, like the API's shape itself.
    method: "GET",
    route: "/api/docs/init.js",
    path: () => "/api/docs/init.js",
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 200 },
  },
  {
    // Operators only: the user ids in ADMIN_USER_IDS, which lists nobody here.
    method: "GET",
    route: "/api/admin/users/:id/stats",
    path: (w) => `/api/admin/users/${w.users.member.user.id}/stats`,
    expect: { admin: 403, member: 403, removed: 403, outsider: 403, anonymous: 401 },
  },
  {
    // A group's counts: operators only, as above.
    method: "GET",
    route: "/api/admin/groups/:id/stats",
    path: (w) => `/api/admin/groups/${w.groupId}/stats`,
    expect: { admin: 403, member: 403, removed: 403, outsider: 403, anonymous: 401 },
  },
  {
    // Moving a bucket of accounts between shards: operators only, as above.
    method: "POST",
    route: "/api/admin/buckets/:bucket/:step",
    path: () => "/api/admin/buckets/7/verify",
    body: () => ({ from: "DB_0", to: "DB_1" }),
    expect: { admin: 403, member: 403, removed: 403, outsider: 403, anonymous: 401 },
  },
  {
    method: "POST",
    route: "/api/auth/register",
    path: () => "/api/auth/register",
    body: () => ({ username: `m${Math.random().toString(36).slice(2, 12)}`, password: "unusual-pass-123" }),
    expect: { admin: 201, member: 201, removed: 201, outsider: 201, anonymous: 201 },
  },
  {
    method: "POST",
    route: "/api/auth/login",
    path: () => "/api/auth/login",
    body: (w) => ({ username: w.users.member.user.username, password: "correct horse battery" }),
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 200 },
    // Five more logins of one user would log out its oldest session (at most 5 per user).
    fresh: true,
  },
  {
    method: "POST",
    route: "/api/auth/logout",
    path: () => "/api/auth/logout",
    expect: { admin: 204, member: 204, removed: 204, outsider: 204, anonymous: 401 },
    fresh: true,
  },
  {
    method: "GET",
    route: "/api/me",
    path: () => "/api/me",
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    method: "PATCH",
    route: "/api/me",
    path: () => "/api/me",
    body: () => ({ about: "hello" }),
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    method: "GET",
    route: "/api/users/:username",
    path: (w) => `/api/users/${w.users.member.user.username}`,
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    // Anyone may ask; the owner's lastSeenVisibility decides what the answer shows (user/subscriptions.test.ts).
    method: "GET",
    route: "/api/users/:id/presence",
    path: (w) => `/api/users/${w.users.member.user.id}/presence`,
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    method: "GET",
    route: "/api/users",
    path: (w) => `/api/users?ids=${w.users.member.user.id}`,
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    // One's own picture only: the token picks whose.
    method: "PUT",
    route: "/api/me/avatar",
    path: () => "/api/me/avatar",
    body: () => TINY_PNG,
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    method: "DELETE",
    route: "/api/me/avatar",
    path: () => "/api/me/avatar",
    expect: { admin: 204, member: 204, removed: 204, outsider: 204, anonymous: 401 },
  },
  {
    // Public by design (an <img> cannot send a token); the member has no picture in this world.
    method: "GET",
    route: "/api/users/:id/avatar",
    path: (w) => `/api/users/${w.users.member.user.id}/avatar`,
    expect: { admin: 404, member: 404, removed: 404, outsider: 404, anonymous: 404 },
  },
  {
    // Media (docs/protocol.md, "Media"): anyone may upload, within their own allowance.
    method: "POST",
    route: "/api/media",
    path: () => "/api/media?kind=photo",
    body: () => TINY_PNG,
    expect: { admin: 201, member: 201, removed: 201, outsider: 201, anonymous: 401 },
  },
  {
    method: "POST",
    route: "/api/media/uploads",
    path: () => "/api/media/uploads",
    body: () => ({ kind: "file", size: 10 }),
    expect: { admin: 201, member: 201, removed: 201, outsider: 201, anonymous: 401 },
  },
  {
    // An upload in parts is its uploader's alone (others: 404, as for none).
    method: "GET",
    route: "/api/media/uploads/:id",
    path: (w) => `/api/media/uploads/${w.uploadId}`,
    expect: { admin: 200, member: 404, removed: 404, outsider: 404, anonymous: 401 },
  },
  {
    method: "PUT",
    route: "/api/media/uploads/:id/parts/:n",
    path: (w) => `/api/media/uploads/${w.uploadId}/parts/1`,
    body: () => TINY_PNG,
    expect: { admin: 200, member: 404, removed: 404, outsider: 404, anonymous: 401 },
  },
  {
    method: "POST",
    route: "/api/media/uploads/:id/complete",
    path: (w) => `/api/media/uploads/${w.uploadId}/complete`,
    expect: { admin: 201, member: 404, removed: 404, outsider: 404, anonymous: 401 },
  },
  {
    // Giving an upload up is its uploader's alone; a fresh one each time (it is gone after).
    method: "DELETE",
    route: "/api/media/uploads/:id",
    path: (w) => `/api/media/uploads/${w.uploadId}`,
    fresh: true,
    expect: { admin: 204, member: 404, removed: 404, outsider: 404, anonymous: 401 },
  },
  {
    // The bytes of media sent to the group: those who are or were in it when it was sent.
    method: "GET",
    route: "/api/media/:id",
    path: (w) => `/api/media/${w.mediaId}`,
    expect: { admin: 200, member: 200, removed: 200, outsider: 404, anonymous: 401 },
  },
  {
    // Searches only the caller's own mailbox (isolation is tested in search.test.ts).
    method: "GET",
    route: "/api/search",
    path: () => "/api/search?q=hello",
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    method: "GET",
    route: "/api/chats",
    path: () => "/api/chats",
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    // A group's history: its members, and former members for what they had (checked below); an
    // outsider gets 403 not_member, the same answer as for a group that does not exist.
    method: "GET",
    route: "/api/chats/:chat/messages",
    path: (w) => `/api/chats/g:${w.groupId}/messages`,
    expect: { admin: 200, member: 200, removed: 200, outsider: 403, anonymous: 401 },
  },
  {
    // Muting the group: members, and former members (it only touches their own list); an outsider
    // gets 403 not_member, as for a group that does not exist.
    method: "PUT",
    route: "/api/chats/:chat/mute",
    path: (w) => `/api/chats/g:${w.groupId}/mute`,
    body: () => ({ until: "always" }),
    expect: { admin: 200, member: 200, removed: 200, outsider: 403, anonymous: 401 },
  },
  {
    method: "GET",
    route: "/ws",
    path: () => "/ws",
    expect: { admin: 101, member: 101, removed: 101, outsider: 101, anonymous: 401 },
  },
  {
    method: "POST",
    route: "/api/groups",
    path: () => "/api/groups",
    body: (w) => ({ name: "another", members: [w.users.member.user.id] }),
    expect: { admin: 201, member: 201, removed: 201, outsider: 201, anonymous: 401 },
  },
  {
    method: "GET",
    route: "/api/groups/:id",
    path: (w) => `/api/groups/${w.groupId}`,
    expect: { admin: 200, member: 200, removed: 403, outsider: 403, anonymous: 401 },
  },
  {
    method: "POST",
    route: "/api/groups/:id/members",
    path: (w) => `/api/groups/${w.groupId}/members`,
    body: (w) => ({ userId: w.users.outsider.user.id }),
    expect: { admin: 200, member: 403, removed: 403, outsider: 403, anonymous: 401 },
    fresh: true,
  },
  {
    // A group's name and description: its admins only; outsiders (and former members) get not_member.
    method: "PATCH",
    route: "/api/groups/:id",
    path: (w) => `/api/groups/${w.groupId}`,
    body: () => ({ description: "changed" }),
    expect: { admin: 200, member: 403, removed: 403, outsider: 403, anonymous: 401 },
  },
  {
    method: "PUT",
    route: "/api/groups/:id/picture",
    path: (w) => `/api/groups/${w.groupId}/picture`,
    body: () => TINY_PNG,
    expect: { admin: 200, member: 403, removed: 403, outsider: 403, anonymous: 401 },
  },
  {
    // Members only with a token (the row above set the picture); without a token, only at the
    // versioned URL of the group answer (groups/settings.test.ts).
    method: "GET",
    route: "/api/groups/:id/picture",
    path: (w) => `/api/groups/${w.groupId}/picture`,
    expect: { admin: 200, member: 200, removed: 403, outsider: 403, anonymous: 401 },
  },
  {
    method: "DELETE",
    route: "/api/groups/:id/picture",
    path: (w) => `/api/groups/${w.groupId}/picture`,
    expect: { admin: 200, member: 403, removed: 403, outsider: 403, anonymous: 401 },
  },
  {
    // Message info: only the sender; a former member without the message gets 404, an outsider
    // 403 not_member (as for a group that does not exist).
    method: "GET",
    route: "/api/chats/:chat/messages/:id/receipts",
    path: (w) => `/api/chats/g:${w.groupId}/messages/${w.messageId}/receipts`,
    expect: { admin: 200, member: 403, removed: 404, outsider: 403, anonymous: 401 },
  },
  {
    method: "GET",
    route: "/api/me/blocked",
    path: () => "/api/me/blocked",
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    // Blocking the outsider: anyone may, except the outsider itself (400).
    method: "POST",
    route: "/api/me/blocked",
    path: () => "/api/me/blocked",
    body: (w) => ({ userId: w.users.outsider.user.id }),
    expect: { admin: 200, member: 200, removed: 200, outsider: 400, anonymous: 401 },
    fresh: true,
  },
  {
    method: "DELETE",
    route: "/api/me/blocked/:userId",
    path: (w) => `/api/me/blocked/${w.users.outsider.user.id}`,
    expect: { admin: 204, member: 204, removed: 204, outsider: 204, anonymous: 401 },
  },
  {
    method: "GET",
    route: "/api/me/sessions",
    path: () => "/api/me/sessions",
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    // Web Push: one's own subscriptions only (the token picks whose).
    method: "GET",
    route: "/api/me/push",
    path: () => "/api/me/push",
    expect: { admin: 200, member: 200, removed: 200, outsider: 200, anonymous: 401 },
  },
  {
    method: "POST",
    route: "/api/me/push",
    path: () => "/api/me/push",
    body: () => ({ endpoint: "https://push.example.com/matrix", keys: PUSH_KEYS }),
    expect: { admin: 201, member: 201, removed: 201, outsider: 201, anonymous: 401 },
  },
  {
    method: "DELETE",
    route: "/api/me/push",
    path: () => "/api/me/push",
    body: () => ({ endpoint: "https://push.example.com/matrix" }),
    expect: { admin: 204, member: 204, removed: 204, outsider: 204, anonymous: 401 },
  },
  {
    // Logging out the member's session remotely: only the member (others get 404, as for no such session).
    method: "DELETE",
    route: "/api/me/sessions/:id",
    path: (w) => `/api/me/sessions/${sessionOf(w.users.member.token)}`,
    expect: { admin: 404, member: 204, removed: 404, outsider: 404, anonymous: 401 },
    fresh: true,
  },
  {
    // Removing the member: the admin may, the member itself may (leaving), nobody else.
    method: "DELETE",
    route: "/api/groups/:id/members/:userId",
    path: (w) => `/api/groups/${w.groupId}/members/${w.users.member.user.id}`,
    expect: { admin: 200, member: 200, removed: 403, outsider: 403, anonymous: 401 },
    fresh: true,
  },
];

/** Frames about the matrix's group (chat `g:<id>`, the admin's message after the removal). */
export const FRAME_ROWS: { frame: string; expect: Record<Exclude<Caller, "anonymous">, string> }[] = [
  { frame: "send", expect: { admin: "sent", member: "sent", removed: "not_member", outsider: "not_member" } },
  { frame: "typing", expect: { admin: "relayed", member: "relayed", removed: "not_member", outsider: "not_member" } },
  { frame: "read", expect: { admin: "ok", member: "ok", removed: "ok", outsider: "not_member" } },
  {
    frame: "edit",
    expect: { admin: "update", member: "not_your_message", removed: "unknown_message", outsider: "unknown_message" },
  },
  {
    frame: "delete (for everyone)",
    expect: { admin: "update", member: "not_your_message", removed: "unknown_message", outsider: "unknown_message" },
  },
];

const LABELS: Record<Caller, string> = {
  admin: "admin",
  member: "member",
  removed: "removed member",
  outsider: "outsider",
  anonymous: "no token",
};

/** The matrix as the Markdown table of docs/security.md. */
export function matrixTable(): string {
  const head = `| call | ${CALLERS.map((c) => LABELS[c]).join(" | ")} |`;
  const rule = `|---|${CALLERS.map(() => "---").join("|")}|`;
  const routes = ROWS.map((r) => `| \`${r.method} ${r.route}\` | ${CALLERS.map((c) => r.expect[c]).join(" | ")} |`);
  const frames = FRAME_ROWS.map(
    (r) =>
      `| frame \`${r.frame}\` | ${CALLERS.map((c) => (c === "anonymous" ? "401 (no socket)" : r.expect[c])).join(" | ")} |`,
  );
  return [head, rule, ...routes, ...frames].join("\n");
}
