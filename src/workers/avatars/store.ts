// Profile pictures: the bytes in R2, the pointer in D1 (users.avatar_etag).
//
// Every upload gets a new random version and its own R2 key, so an object in
// R2 never changes once written. Replacing is: write the new object, switch
// the D1 pointer (one transaction that also reads the old one), then delete
// the old object. A reader follows the pointer, so it gets the old picture or
// the new one, whole, never a mix; a crash leaves at most an unreferenced
// object, which the next upload of that user sweeps away.

import { randomId } from "../../shared/ids";
import { userDb } from "../../shared/shards";
import type { ImageType } from "./sniff";

/** Unreferenced objects older than this are crash leftovers, not uploads in flight. */
const ORPHAN_AGE_MS = 60 * 60 * 1000;

export function avatarKey(userId: string, version: string): string {
  return `avatars/${userId}/${version}`;
}

export async function currentVersion(env: Env, userId: string): Promise<string | null> {
  const row = await userDb(env, userId).prepare("SELECT avatar_etag FROM users WHERE id = ?").bind(userId).first<{
    avatar_etag: string | null;
  }>();
  return row?.avatar_etag ?? null;
}

/** Points the user at `version` (or at no picture) and returns what it pointed at before. */
async function swap(db: D1Database, userId: string, version: string | null): Promise<string | null> {
  // A D1 batch is one transaction: the old value read is the one replaced.
  const [before] = await db.batch<{ avatar_etag: string | null }>([
    db.prepare("SELECT avatar_etag FROM users WHERE id = ?").bind(userId),
    db.prepare("UPDATE users SET avatar_etag = ? WHERE id = ?").bind(version, userId),
  ]);
  return before?.results[0]?.avatar_etag ?? null;
}

/** Stores a new picture and makes it the user's; returns its version. */
export async function putAvatar(env: Env, userId: string, bytes: Uint8Array, type: ImageType): Promise<string> {
  const version = randomId();
  const key = avatarKey(userId, version);
  await env.AVATARS.put(key, bytes, { httpMetadata: { contentType: type } });
  let previous: string | null;
  try {
    previous = await swap(userDb(env, userId), userId, version);
  } catch (err) {
    await env.AVATARS.delete(key).catch(() => undefined);
    throw err;
  }
  await cleanUp(env.AVATARS, userId, previous, version);
  return version;
}

/** Removes the user's picture; true if there was one. */
export async function deleteAvatar(env: Env, userId: string): Promise<boolean> {
  const previous = await swap(userDb(env, userId), userId, null);
  await cleanUp(env.AVATARS, userId, previous, null);
  return previous !== null;
}

/** Deletes the replaced object and old leftovers; a failure here only leaves garbage behind. */
async function cleanUp(bucket: R2Bucket, userId: string, previous: string | null, keep: string | null) {
  try {
    if (previous) await bucket.delete(avatarKey(userId, previous));
    const listed = await bucket.list({ prefix: avatarKey(userId, "") });
    const stale = listed.objects
      .filter((o) => o.key !== avatarKey(userId, keep ?? "") && Date.now() - o.uploaded.getTime() > ORPHAN_AGE_MS)
      .map((o) => o.key);
    if (stale.length > 0) await bucket.delete(stale);
  } catch (err) {
    console.warn(JSON.stringify({ event: "avatar_cleanup_failed", userId, error: String(err) }));
  }
}
