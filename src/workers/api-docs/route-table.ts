// Every route of the Worker, described from the schemas: what it takes (path
// parameters, query, body) and what it answers. The OpenAPI document is made
// from this table, and a test checks that every route of the Hono app is in it.

import * as v from "valibot";
import {
  blockAnswer,
  blockedListAnswer,
  chatListAnswer,
  groupStatsAnswer,
  healthAnswer,
  messageListAnswer,
  receiptsAnswer,
  sessionListAnswer,
  userListAnswer,
  userStatsAnswer,
} from "../../shared/schemas/answers";
import { loginBody, patchMeBody, registerBody, userIdBody } from "../../shared/schemas/bodies";
import { chatId, entityId, messageId } from "../../shared/schemas/fields";
import { authAnswerSchema, errorBodySchema, meSchema, presenceSchema, userSchema } from "../../shared/schemas/objects";
import { avatarQuery, historyQuery, searchQuery, socketQuery, userLookupQuery } from "../../shared/schemas/queries";
import { SHARDS } from "../../shared/shards";
import { GROUP_ROUTES } from "./group-routes";
import { MEDIA_ROUTES } from "./media-routes";
import { NOTIFY_ROUTES } from "./notify-routes";
import { type Answer, type RouteDoc, r } from "./route-doc";

const noContent: Answer = { description: "done" };
const userId = v.pipe(entityId, v.description("a user id"));
const me: Answer = { description: "the caller's profile", body: meSchema };
const page = "the chat's messages, oldest first";
const docs = (media: string): Answer => ({ description: "the document", media });

export const ROUTES = [
  // health and operations
  r("get", "/api/health", "Health", "ops", false, {
    200: { description: "healthy", body: healthAnswer },
    503: {
      description: "D1 unreachable or not migrated; or an Error (unavailable) before any route",
      body: v.union([healthAnswer, errorBodySchema]),
    },
  }),
  r(
    "get",
    "/api/admin/users/{id}/stats",
    "One user object's counts (operators)",
    "ops",
    true,
    {
      200: { description: "the counts", body: userStatsAnswer },
    },
    { params: { id: userId }, errors: { 403: "forbidden", 404: "unknown_user" } },
  ),
  r(
    "get",
    "/api/admin/groups/{id}/stats",
    "One group object's counts, its archive's included (operators)",
    "ops",
    true,
    {
      200: { description: "the counts", body: groupStatsAnswer },
    },
    {
      params: { id: v.pipe(entityId, v.description("a group id")) },
      errors: { 403: "forbidden", 404: "unknown_group" },
    },
  ),
  r(
    "post",
    "/api/admin/buckets/{bucket}/{step}",
    "One step of moving a bucket of accounts to another shard (operators)",
    "ops",
    true,
    {
      200: {
        description:
          "the step's result: {bucket, copied} (copy, catch-up), {bucket, ...counts} (verify), {bucket, removed}",
        body: v.looseObject({ bucket: v.number() }),
      },
    },
    {
      params: {
        bucket: v.pipe(v.string(), v.description("0 to 4095")),
        step: v.picklist(["copy", "verify", "catch-up", "remove"]),
      },
      body: v.strictObject({ from: v.picklist(SHARDS), to: v.picklist(SHARDS) }),
      errors: { 400: "invalid_field", 403: "forbidden, not_allowed", 404: "not_found" },
    },
  ),
  // accounts and sessions
  r(
    "post",
    "/api/auth/register",
    "Register",
    "auth",
    false,
    { 201: { description: "registered", body: authAnswerSchema } },
    {
      body: registerBody,
      errors: {
        400: "invalid_username, invalid_password, invalid_field",
        409: "username_taken",
        429: "too_many_attempts",
      },
    },
  ),
  r(
    "post",
    "/api/auth/login",
    "Log in",
    "auth",
    false,
    { 200: { description: "logged in", body: authAnswerSchema } },
    {
      body: loginBody,
      errors: { 401: "bad_credentials", 429: "too_many_attempts" },
    },
  ),
  r("post", "/api/auth/logout", "Log out this token", "auth", true, { 204: noContent }),
  r("get", "/api/me", "My profile", "profile", true, { 200: me }),
  r("patch", "/api/me", "Change my profile", "profile", true, { 200: me }, { body: patchMeBody }),
  r(
    "put",
    "/api/me/avatar",
    "Set my picture",
    "profile",
    true,
    { 200: me },
    {
      rawBody: ["image/png", "image/jpeg", "image/webp"],
      errors: { 413: "too_large (over 1 MiB)", 415: "unsupported_media" },
    },
  ),
  r("delete", "/api/me/avatar", "Remove my picture", "profile", true, { 204: noContent }),
  r(
    "get",
    "/api/users/{id}/avatar",
    "A user's picture (no token needed at its versioned URL)",
    "profile",
    false,
    {
      200: { description: "the picture", media: "image/*" },
      304: { description: "not modified" },
    },
    { params: { id: userId }, query: avatarQuery, errors: { 404: "not_found" } },
  ),
  r(
    "get",
    "/api/users",
    "Users by id",
    "profile",
    true,
    { 200: { description: "the users found", body: userListAnswer } },
    {
      query: userLookupQuery,
    },
  ),
  r(
    "get",
    "/api/users/{username}",
    "A user by username",
    "profile",
    true,
    { 200: { description: "the user", body: userSchema } },
    {
      params: { username: v.string() },
      errors: { 404: "unknown_user" },
    },
  ),
  r(
    "get",
    "/api/users/{id}/presence",
    "A user's presence",
    "presence",
    true,
    {
      200: { description: "online and last seen", body: presenceSchema },
    },
    { params: { id: userId }, errors: { 404: "unknown_user" } },
  ),
  // user safety
  r("get", "/api/me/blocked", "Users I blocked", "safety", true, {
    200: { description: "oldest first", body: blockedListAnswer },
  }),
  r(
    "post",
    "/api/me/blocked",
    "Block a user",
    "safety",
    true,
    { 200: { description: "blocked", body: blockAnswer } },
    {
      body: userIdBody,
      errors: { 404: "unknown_user", 409: "too_many_blocked" },
    },
  ),
  r("delete", "/api/me/blocked/{userId}", "Unblock a user", "safety", true, { 204: noContent }, { params: { userId } }),
  r("get", "/api/me/sessions", "My linked devices", "safety", true, {
    200: { description: "newest first", body: sessionListAnswer },
  }),
  r(
    "delete",
    "/api/me/sessions/{id}",
    "Log a device out",
    "safety",
    true,
    { 204: noContent },
    {
      params: { id: v.pipe(entityId, v.description("a session id")) },
      errors: { 404: "unknown_session" },
    },
  ),
  // chats
  r("get", "/api/chats", "My chats, newest first", "chats", true, {
    200: { description: "the chats", body: chatListAnswer },
  }),
  r(
    "get",
    "/api/chats/{chat}/messages",
    "A chat's history",
    "chats",
    true,
    { 200: { description: page, body: messageListAnswer } },
    {
      params: { chat: chatId },
      query: historyQuery,
      errors: { 400: "invalid_chat, invalid_field", 403: "not_member" },
    },
  ),
  r(
    "get",
    "/api/chats/{chat}/messages/{id}/receipts",
    "Message info: each reader's times",
    "chats",
    true,
    {
      200: { description: "the readers", body: receiptsAnswer },
    },
    {
      params: { chat: chatId, id: messageId },
      errors: { 400: "invalid_chat, invalid_field", 403: "not_member, not_your_message", 404: "unknown_message" },
    },
  ),
  r(
    "get",
    "/api/search",
    "Search my history",
    "chats",
    true,
    { 200: { description: "newest first", body: messageListAnswer } },
    {
      query: searchQuery,
      errors: { 400: "invalid_field, query_too_long" },
    },
  ),
  // groups (group-routes.ts)
  ...GROUP_ROUTES,
  // the socket and these documents
  r(
    "get",
    "/ws",
    "Open the WebSocket (frames: /api/asyncapi.json)",
    "socket",
    false,
    {
      101: { description: "switching protocols: a WebSocket for this device" },
    },
    { query: socketQuery, errors: { 401: "unauthorized" } },
  ),
  r("get", "/api/openapi.json", "This document", "docs", false, { 200: docs("application/json") }),
  r("get", "/api/asyncapi.json", "The WebSocket's AsyncAPI document", "docs", false, { 200: docs("application/json") }),
  r("get", "/api/docs", "The API reference page", "docs", false, { 200: docs("text/html") }),
  r("get", "/api/docs/init.js", "The reference page's script", "docs", false, { 200: docs("text/javascript") }),
  ...NOTIFY_ROUTES,
  ...MEDIA_ROUTES,
] satisfies RouteDoc[];
