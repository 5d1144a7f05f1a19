// The RPC surface of the media a user uploaded (../media-owner.ts, workers/media):
// reservations, parts, grants to chats and their release. A layer of
// UserObject (../../user-object.ts); every public method here is an RPC
// method of the user object.

import type { Result } from "../../../shared/errors";
import type { Reservation } from "../media-owner";
import type { MediaQuota, MediaRecord } from "../media-store";
import { HostedRpc } from "./hosted-rpc";

export abstract class MediaRpc extends HostedRpc {
  async reserveMedia(r: Reservation, quota: MediaQuota): Promise<Result<null>> {
    return this.parts.media.reserve(r, quota);
  }

  async mediaStored(id: string, mime?: string): Promise<void> {
    this.parts.media.store.ready(id, mime);
  }

  async mediaPart(id: string, part: number, etag: string, mime: string | null): Promise<void> {
    this.parts.media.store.partDone(id, part, etag, mime);
  }

  async abandonMedia(id: string): Promise<void> {
    this.parts.media.store.abandon(id);
  }

  async dropMedia(id: string): Promise<void> {
    this.parts.media.store.drop(id);
  }

  async mediaRecord(id: string): Promise<MediaRecord | null> {
    return this.parts.media.store.get(id);
  }

  async mayReadMedia(id: string, reader: string): Promise<Result<MediaRecord>> {
    return this.parts.media.mayRead(id, reader);
  }

  /** A chat of `by` may read it from now on, for `by`'s send `clientId` (a send, a forward: user/media-send.ts grantMedia). */
  async grantMedia(id: string, chat: string, by: string, clientId: string): Promise<Result<MediaRecord>> {
    return this.parts.media.grant(id, chat, by, clientId);
  }

  /** The send it was granted for was refused (user/media-send.ts withdrawMedia): that send's grant only. */
  async ungrantMedia(id: string, chat: string, by: string, clientId: string): Promise<void> {
    this.parts.media.withdraw(id, chat, by, clientId);
  }

  /** A message referring to it was deleted for everyone; `sent`: its sender and clientId, when known. */
  async releaseMedia(id: string, chat: string, by: string, sent?: { from: string; clientId?: string }): Promise<void> {
    await this.parts.media.release(id, chat, by, sent);
  }
}
