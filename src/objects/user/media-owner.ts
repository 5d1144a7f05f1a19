// The uploader's object as the authority over its media (./media-store.ts):
// it reserves uploads against the daily allowance, says who may read them,
// grants chats (a message, a forward) and deletes the bytes when nothing
// refers to them any more, or when an upload was never sent (its alarm).

import { AppError, fail, ok, type Result } from "../../shared/errors";
import { MEDIA_DAILY_BYTES, MEDIA_DAILY_UPLOADS, MEDIA_UNSENT_TTL_MS } from "../../shared/limits";
import type { AlarmScheduler } from "../storage/alarm";
import { type MediaQuota, type MediaRecord, type MediaState, MediaStore, mediaKey, sendRef } from "./media-store";

export interface MediaOwnerSide {
  sql: SqlStorage;
  env: Env;
  userId: string;
  alarms: AlarmScheduler;
}

export type Reservation = Pick<MediaRecord, "id" | "kind" | "mime" | "size"> & {
  state: MediaState;
  uploadId?: string;
};

/** The chat key a grant is kept under: a one-to-one chat from both sides is one key. */
/** The allowance, from the Worker's settings: MEDIA_DAILY="bytes,uploads" overrides it (tests). */
export function mediaQuota(env: Env): MediaQuota {
  const [bytes, uploads] = (env.MEDIA_DAILY ?? "").split(",").map(Number);
  return { bytes: bytes || MEDIA_DAILY_BYTES, uploads: uploads || MEDIA_DAILY_UPLOADS, windowMs: 24 * 60 * 60 * 1000 };
}

export function grantKey(userId: string, chat: string): string {
  if (chat.startsWith("g:")) return chat;
  const peer = chat.slice(2);
  return userId < peer ? `p:${userId}:${peer}` : `p:${peer}:${userId}`;
}

const gone = () => new AppError("unknown_media", "no such media, or not in a chat of yours");

export class MediaOwner {
  readonly store: MediaStore;

  constructor(private readonly me: MediaOwnerSide) {
    this.store = new MediaStore(me.sql);
  }

  private get ttl(): number {
    return Number(this.me.env.MEDIA_UNSENT_TTL_MS) || MEDIA_UNSENT_TTL_MS;
  }

  reserve(r: Reservation, quota: MediaQuota, now = Date.now()): Result<null> {
    try {
      this.store.reserve(r, quota, now);
    } catch (err) {
      if (err instanceof AppError) return fail(err);
      throw err;
    }
    this.me.alarms.ensureBy(now + this.ttl, "media");
    return ok(null);
  }

  /** Whether `reader` may fetch it: its uploader, or someone in a chat it was sent to. */
  async mayRead(id: string, reader: string): Promise<Result<MediaRecord>> {
    const record = this.store.get(id);
    if (record?.state !== "ready") return fail(gone());
    if (reader === this.me.userId) return ok(record);
    for (const chat of this.store.grants(id)) {
      if (await this.inChat(chat, reader)) return ok(record);
    }
    return fail(gone());
  }

  /**
   * A message of `chat` (as `by` sees it), sent by `by` with `clientId`, will
   * refer to it: `by` must be its uploader or able to read it already (a
   * forward). One row written; none for a retry of the same send.
   */
  async grant(id: string, chat: string, by: string, clientId: string): Promise<Result<MediaRecord>> {
    const allowed = await this.mayRead(id, by);
    if (!allowed.ok) return allowed;
    this.store.grant(id, grantKey(by, chat), sendRef(by, clientId));
    return allowed;
  }

  /** The send's grant, for a send that was then refused: that send's only, the upload kept. */
  withdraw(id: string, chat: string, by: string, clientId: string): void {
    this.store.withdraw(id, grantKey(by, chat), sendRef(by, clientId));
  }

  /**
   * A message of `chat` (as `by` sees it) that referred to it is deleted for
   * everyone; `sent`: its sender and clientId, when known. The last reference
   * takes the bytes along.
   */
  async release(id: string, chat: string, by: string, sent?: { from: string; clientId?: string }): Promise<void> {
    const ref = sent?.clientId === undefined ? null : sendRef(sent.from, sent.clientId);
    if (!this.store.release(id, grantKey(by, chat), ref)) return;
    await this.me.env.MEDIA.delete(mediaKey(id));
  }

  private async inChat(chat: string, reader: string): Promise<boolean> {
    if (chat.startsWith("p:")) return chat.slice(2).split(":").includes(reader);
    const groups = this.me.env.GROUPS;
    try {
      return (await groups.get(groups.idFromName(chat.slice(2))).canRead(reader)).ok;
    } catch {
      return false;
    }
  }

  /** The alarm: uploads never sent within the TTL go, bytes and rows. */
  async sweep(now = Date.now()): Promise<number> {
    const expired = this.store.takeExpired(now - this.ttl);
    for (const record of expired) {
      if (record.uploadId) {
        await this.me.env.MEDIA.resumeMultipartUpload(mediaKey(record.id), record.uploadId)
          .abort()
          .catch(() => undefined);
      }
    }
    if (expired.length > 0) await this.me.env.MEDIA.delete(expired.map((r) => mediaKey(r.id)));
    this.schedule();
    return expired.length;
  }

  /** Asks the alarm for the next expiry, if any. */
  schedule(): void {
    const oldest = this.store.oldestUnsent();
    if (oldest !== null) this.me.alarms.ensureBy(oldest + this.ttl, "media");
  }

  /** Whether an upload waits to expire (the alarm must stay). */
  waiting(): boolean {
    return this.store.oldestUnsent() !== null;
  }
}
