// Rows of the authorization matrix (./authz-matrix.ts) for chats and the
// matrix's group: the chat list, the group's history and mute, search and the
// socket; the group itself, its members and picture; and leaving it.

import { type Row, TINY_PNG } from "./authz-world";

/** The chat list, the group's chat, search and the socket. */
export const CHAT_ROWS: Row[] = [
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
];

export const GROUP_ROWS: Row[] = [
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
];

/** Last: it changes membership (each caller gets a fresh world). */
export const LEAVE_ROWS: Row[] = [
  {
    // Removing the member: the admin may, the member itself may (leaving), nobody else.
    method: "DELETE",
    route: "/api/groups/:id/members/:userId",
    path: (w) => `/api/groups/${w.groupId}/members/${w.users.member.user.id}`,
    expect: { admin: 200, member: 200, removed: 403, outsider: 403, anonymous: 401 },
    fresh: true,
  },
];
