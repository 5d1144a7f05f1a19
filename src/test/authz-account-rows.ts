// Rows of the authorization matrix (./authz-matrix.ts) for the public and
// operator routes, accounts and profiles, and one's own settings (blocks,
// sessions, push).

import { type Row, TINY_PNG } from "./authz-world";

// A browser's push keys: a P-256 public point and a 16-byte secret (base64url).
const PUSH_KEYS = {
  p256dh: "BIVosx6LYA-auFQSzHo0R4NSQSjSFu-ddaheEHwT05ggTm_4f8FPlGAJAirzRSjHCph54_ixyyagADWqH-JJJRc",
  auth: "AAECAwQFBgcICQoLDA0ODw",
};

/** The session id inside a token (its `sid` claim). */
function sessionOf(token: string): string {
  const payload = token.split(".")[1] ?? "";
  return (JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { sid: string }).sid;
}

/** Open to all: health and the API's documents. */
export const PUBLIC_ROWS: Row[] = [
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
];

export const OPERATOR_ROWS: Row[] = [
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
];

/** Registering, logging in and out, one's profile and others'. */
export const ACCOUNT_ROWS: Row[] = [
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
];

/** One's own blocks, sessions and push subscriptions. */
export const SETTINGS_ROWS: Row[] = [
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
];
