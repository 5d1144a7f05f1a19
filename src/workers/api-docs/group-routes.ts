// The group routes of the route table (route-table.ts): create, read, change
// (name, description, picture) and membership.

import * as v from "valibot";
import { createGroupBody, patchGroupBody, userIdBody } from "../../shared/schemas/bodies";
import { entityId } from "../../shared/schemas/fields";
import { groupSchema } from "../../shared/schemas/objects";
import { avatarQuery } from "../../shared/schemas/queries";
import { type Answer, type RouteDoc, r } from "./route-doc";

const userId = v.pipe(entityId, v.description("a user id"));
const groupId = v.pipe(entityId, v.description("a group id"));
const group: Answer = { description: "the group as it now stands", body: groupSchema };

export const GROUP_ROUTES = [
  r(
    "post",
    "/api/groups",
    "Create a group",
    "groups",
    true,
    { 201: { description: "created", body: groupSchema } },
    {
      body: createGroupBody,
      errors: { 403: "not_allowed", 404: "unknown_user", 409: "group_full", 429: "too_many_groups" },
    },
  ),
  r(
    "get",
    "/api/groups/{id}",
    "A group (members only)",
    "groups",
    true,
    { 200: group },
    {
      params: { id: groupId },
      errors: { 403: "not_member", 404: "unknown_group" },
    },
  ),
  r(
    "patch",
    "/api/groups/{id}",
    "Change a group's name or description (admins)",
    "groups",
    true,
    { 200: group },
    {
      params: { id: groupId },
      body: patchGroupBody,
      errors: { 403: "forbidden, not_member", 404: "unknown_group" },
    },
  ),
  r(
    "put",
    "/api/groups/{id}/picture",
    "Set a group's picture (admins)",
    "groups",
    true,
    { 200: group },
    {
      params: { id: groupId },
      rawBody: ["image/png", "image/jpeg", "image/webp"],
      errors: {
        400: "invalid_body (empty)",
        403: "forbidden, not_member",
        404: "unknown_group",
        413: "too_large (over 1 MiB)",
        415: "unsupported_media",
      },
    },
  ),
  r(
    "delete",
    "/api/groups/{id}/picture",
    "Remove a group's picture (admins)",
    "groups",
    true,
    { 200: group },
    { params: { id: groupId }, errors: { 403: "forbidden, not_member", 404: "unknown_group" } },
  ),
  r(
    "get",
    "/api/groups/{id}/picture",
    "A group's picture (members; no token needed at its versioned URL)",
    "groups",
    false,
    {
      200: { description: "the picture", media: "image/*" },
      304: { description: "not modified" },
    },
    {
      params: { id: groupId },
      query: avatarQuery,
      errors: { 401: "unauthorized (no token and no version)", 403: "not_member", 404: "unknown_group, not_found" },
    },
  ),
  r(
    "post",
    "/api/groups/{id}/members",
    "Add a member (admins)",
    "groups",
    true,
    { 200: group },
    {
      params: { id: groupId },
      body: userIdBody,
      errors: { 403: "forbidden, not_allowed", 404: "unknown_group, unknown_user", 409: "already_member, group_full" },
    },
  ),
  r(
    "delete",
    "/api/groups/{id}/members/{userId}",
    "Remove a member, or leave",
    "groups",
    true,
    { 200: group },
    {
      params: { id: groupId, userId },
      errors: { 403: "forbidden", 404: "unknown_group, unknown_member" },
    },
  ),
] satisfies RouteDoc[];
