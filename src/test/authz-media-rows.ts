// Rows of the authorization matrix (./authz-matrix.ts) for media: uploads,
// whole and in parts, and the bytes of media sent to the matrix's group.

import { type Row, TINY_PNG } from "./authz-world";

export const MEDIA_ROWS: Row[] = [
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
];
