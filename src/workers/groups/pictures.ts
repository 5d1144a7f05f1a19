// A group's picture bytes in R2 (the AVATARS bucket, under groups/<id>/<version>).
// As for profile pictures (avatars/store.ts), each upload is a new object
// under its own key, never overwritten; the pointer is the group object's
// `picture` meta value, switched in one transaction with its log entry; the
// replaced object is deleted afterwards, and a crash in between leaves at most
// an unreferenced object, swept by the group's next upload after an hour.

/** Unreferenced objects older than this are crash leftovers, not uploads in flight. */
const ORPHAN_AGE_MS = 60 * 60 * 1000;

export function groupPictureKey(groupId: string, version: string): string {
  return `groups/${groupId}/${version}`;
}

/** Deletes the replaced picture and old leftovers; a failure here only leaves garbage behind. */
export async function cleanUpPictures(
  bucket: R2Bucket,
  groupId: string,
  previous: string | null,
  keep: string | null,
): Promise<void> {
  try {
    if (previous) await bucket.delete(groupPictureKey(groupId, previous));
    const listed = await bucket.list({ prefix: groupPictureKey(groupId, "") });
    const stale = listed.objects
      .filter(
        (o) => o.key !== groupPictureKey(groupId, keep ?? "") && Date.now() - o.uploaded.getTime() > ORPHAN_AGE_MS,
      )
      .map((o) => o.key);
    if (stale.length > 0) await bucket.delete(stale);
  } catch (err) {
    console.warn(JSON.stringify({ event: "group_picture_cleanup_failed", groupId, error: String(err) }));
  }
}
