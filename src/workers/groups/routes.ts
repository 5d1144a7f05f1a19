// Groups: create, read, add a member, remove a member or leave. The group's
// Durable Object is the authority on membership and roles; the Worker checks
// the body, that the users exist (D1), and adds display names to answers.

import { Hono } from "hono";
import { AppError, unwrap } from "../../shared/errors";
import { randomId } from "../../shared/ids";
import { GROUP_CREATION_WINDOW_MS, GROUP_MEMBERS_MAX, GROUPS_CREATED_PER_DAY } from "../../shared/limits";
import { isEntityId, parseAddMemberBody, parseCreateGroupBody } from "../../shared/protocol";
import type { AppEnv } from "../app-env";
import { requireAuth } from "../auth/middleware";
import { assertNotBlocked, recordEvent } from "../auth/throttle";
import { readJson } from "../http";
import { blockersOf } from "../safety/blocks-db";
import { requireUsers, withNames } from "./people";

// Room for GROUP_MEMBERS_MAX ids in one body.
const CREATE_BODY_MAX = 64 * 1024;

export const groupRoutes = new Hono<AppEnv>();
groupRoutes.use(requireAuth);

groupRoutes.post("/", async (c) => {
  const body = parseCreateGroupBody(await readJson(c, CREATE_BODY_MAX));
  const creator = c.get("auth").userId;
  const others = body.members.filter((id) => id !== creator);
  if (others.length + 1 > GROUP_MEMBERS_MAX) {
    throw new AppError("group_full", `a group has at most ${GROUP_MEMBERS_MAX} members`);
  }
  const names = await requireUsers(c.env, [creator, ...others]);
  await assertMayAdd(c.env, creator, others);
  const limit = [{ key: `groups:${creator}`, limit: GROUPS_CREATED_PER_DAY, windowMs: GROUP_CREATION_WINDOW_MS }];
  await assertNotBlocked(c.env, limit, `at most ${GROUPS_CREATED_PER_DAY} new groups a day`, "too_many_groups");
  const group = unwrap(await groupObject(c.env, randomId()).create(creator, body.name, others));
  await recordEvent(c.env, limit);
  return c.json(await withNames(c.env, group, names), 201);
});

groupRoutes.get("/:id", async (c) => {
  const group = unwrap(await groupObject(c.env, groupId(c.req.param("id"))).info(c.get("auth").userId));
  return c.json(await withNames(c.env, group));
});

groupRoutes.post("/:id/members", async (c) => {
  const stub = groupObject(c.env, groupId(c.req.param("id")));
  const { userId } = parseAddMemberBody(await readJson(c));
  await requireUsers(c.env, [userId]);
  await assertMayAdd(c.env, c.get("auth").userId, [userId]);
  const group = unwrap(await stub.addMember(c.get("auth").userId, userId));
  return c.json(await withNames(c.env, group));
});

groupRoutes.delete("/:id/members/:userId", async (c) => {
  const stub = groupObject(c.env, groupId(c.req.param("id")));
  const userId = c.req.param("userId");
  if (!isEntityId(userId)) throw new AppError("unknown_member", "that user is not a member of this group");
  const group = unwrap(await stub.removeMember(c.get("auth").userId, userId));
  return c.json(await withNames(c.env, group));
});

/**
 * No one is put into a group by someone they blocked, at creation or later.
 * The answer is the one a privacy setting would give (not_allowed), naming
 * no one and not the block; nothing is created or changed.
 */
async function assertMayAdd(env: Env, actor: string, users: string[]): Promise<void> {
  if (users.length === 0) return;
  const refusing = await blockersOf(env, actor, users);
  if (refusing.size > 0) throw new AppError("not_allowed", "someone in this request cannot be added to groups by you");
}

/** A malformed id names no group: 404 without waking any object. */
export function groupId(value: string): string {
  if (!isEntityId(value)) throw new AppError("unknown_group", "no such group");
  return value;
}

export function groupObject(env: Env, id: string) {
  return env.GROUPS.get(env.GROUPS.idFromName(id));
}
