// The authorization matrix as data: every HTTP route and the frames about a
// group chat, against every kind of caller. src/workers/authz.test.ts runs it
// (and checks it against the router's own list of routes); docs/security.md
// shows it as a table rendered by `matrixTable`, and the same test fails if
// that table is not the one rendered from these rows.
//
// The rows live beside it by family (./authz-account-rows.ts,
// ./authz-media-rows.ts, ./authz-group-rows.ts); their order here is the
// table's order, and the group picture's GET relies on the PUT before it.

import { ACCOUNT_ROWS, OPERATOR_ROWS, PUBLIC_ROWS, SETTINGS_ROWS } from "./authz-account-rows";
import { CHAT_ROWS, GROUP_ROWS, LEAVE_ROWS } from "./authz-group-rows";
import { MEDIA_ROWS } from "./authz-media-rows";
import { CALLERS, type Caller, type Row } from "./authz-world";

export { CALLERS, type Caller, type Row, TINY_PNG, type World } from "./authz-world";

export const ROWS: Row[] = [
  ...PUBLIC_ROWS,
  ...OPERATOR_ROWS,
  ...ACCOUNT_ROWS,
  ...MEDIA_ROWS,
  ...CHAT_ROWS,
  ...GROUP_ROWS,
  ...SETTINGS_ROWS,
  ...LEAVE_ROWS,
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
