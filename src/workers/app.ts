// The entry Worker's router: one Hono app, routes mounted by resource.

import { Hono } from "hono";
import { docsRoutes } from "./api-docs/routes";
import type { AppEnv } from "./app-env";
import { authRoutes } from "./auth/routes";
import { avatarRoutes } from "./avatars/routes";
import { chatRoutes } from "./chats/routes";
import { notFound, onError } from "./error-handler";
import { groupRoutes } from "./groups/routes";
import { groupSettingRoutes } from "./groups/settings";
import { mediaRoutes } from "./media/routes";
import { adminRoutes } from "./ops/admin";
import { healthRoutes } from "./ops/health";
import { requestLog } from "./ops/request-log";
import { requireRealSecret } from "./ops/secret-guard";
import { securityHeaders } from "./ops/security-headers";
import { pushRoutes } from "./push/routes";
import { blockedRoutes } from "./safety/blocked-routes";
import { sessionRoutes } from "./safety/session-routes";
import { searchRoutes } from "./search/routes";
import { socketRoutes } from "./socket/routes";
import { meRoutes, userRoutes } from "./users/routes";

export const app = new Hono<AppEnv>();

// First the log (so that every answer, refusals included, gets a line), then
// the security headers (on every answer, errors included), then the
// production secret check, before any route.
app.use(requestLog, securityHeaders, requireRealSecret);

app.route("/api/health", healthRoutes);
// The OpenAPI and AsyncAPI documents and the reference page, without a token.
app.route("/api", docsRoutes);
app.route("/api/admin", adminRoutes);
app.route("/api/auth", authRoutes);
app.route("/api/me/blocked", blockedRoutes);
app.route("/api/me/sessions", sessionRoutes);
app.route("/api/me/push", pushRoutes);
// Before /api/me and /api/users: the picture is served without a token.
app.route("/api", avatarRoutes);
app.route("/api/me", meRoutes);
app.route("/api/users", userRoutes);
app.route("/api/chats", chatRoutes);
app.route("/api/groups", groupSettingRoutes);
app.route("/api/groups", groupRoutes);
app.route("/api/search", searchRoutes);
app.route("/api/media", mediaRoutes);
app.route("/ws", socketRoutes);
app.notFound(notFound);
app.onError(onError);
