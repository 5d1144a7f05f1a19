// A `send` with media, before the usual send path: the media must be the
// sender's own upload, or one a chat of theirs may read already (a forward);
// its chat is granted it (a row of the uploader's object, ./media-owner.ts),
// before the message is stored, so that no member ever sees a message whose
// media it may not fetch. What the server sniffed and counted (kind, type,
// size) must be what the frame says; the page's extras are kept per kind.

import { AppError, type Result } from "../../shared/errors";
import { type ClientFrame, FrameError, type Media } from "../../shared/protocol";
import type { MediaOwner } from "./media-owner";
import type { MediaRecord } from "./media-store";

type SendFrame = Pick<Extract<ClientFrame, { type: "send" }>, "clientId" | "chat" | "media">;

export interface MediaSender {
  userId: string;
  env: Env;
  media: MediaOwner;
}

/** The uploader of a media id: its first 16 characters. */
export function ownerOf(mediaId: string): string {
  return mediaId.slice(0, 16);
}

/**
 * Grants `chat` the media `id`, for the message `by` sends there with
 * `clientId` (a send, or a forward copying a message): once per send, however
 * often it is tried (the grant is keyed by sender and clientId). Answers the upload as the server has it, or
 * unknown_media when `by` may not refer to it. For forwarding (issue 18, 3).
 */
export async function grantMedia(
  env: Env,
  id: string,
  chat: string,
  by: string,
  clientId: string,
): Promise<Result<MediaRecord>> {
  const owner = env.USERS.get(env.USERS.idFromName(ownerOf(id)));
  return owner.grantMedia(id, chat, by, clientId);
}

/**
 * A message of `chat` referring to the media was deleted for everyone; `sent`:
 * its sender and clientId, when known (its send's grant goes). Not waited
 * for: a release lost to a crash leaves the bytes stored (a leak, never a
 * message without its media).
 */
export function releaseMedia(
  env: Env,
  id: string,
  chat: string,
  by: string,
  sent?: { from: string; clientId?: string },
): void {
  const owner = env.USERS.get(env.USERS.idFromName(ownerOf(id)));
  void owner.releaseMedia(id, chat, by, sent).catch((err: unknown) => {
    console.warn(JSON.stringify({ event: "media_release_failed", media: id, error: String(err) }));
  });
}

/** Checks and grants the frame's media; the frame then carries it as stored. No media: nothing done. */
export async function attachMedia(me: MediaSender, frame: SendFrame): Promise<void> {
  const media = frame.media;
  if (!media) return;
  let granted: Result<MediaRecord>;
  try {
    granted =
      ownerOf(media.id) === me.userId
        ? await me.media.grant(media.id, frame.chat, me.userId, frame.clientId)
        : await grantMedia(me.env, media.id, frame.chat, me.userId, frame.clientId);
  } catch (err) {
    console.warn(JSON.stringify({ event: "media_grant_failed", media: media.id, error: String(err) }));
    throw new FrameError(new AppError("unavailable", "the media could not be checked; send again"), frame.clientId);
  }
  if (!granted.ok) throw new FrameError(new AppError(granted.error.code, granted.error.message), frame.clientId);
  const record = granted.value;
  if (record.kind !== media.kind || record.mime !== media.mime || record.size !== media.size) {
    // Refused after its grant: the grant goes again, as for any refused send (withdrawMedia).
    await ungrantSent(me, frame);
    throw new FrameError(
      new AppError(
        "invalid_media",
        `media must be the ${record.kind} of ${record.size} bytes (${record.mime}) uploaded`,
      ),
      frame.clientId,
    );
  }
  frame.media = shaped(media);
}

/**
 * The send was refused after its media was granted: its grant goes again,
 * the upload stays (its 24 hours run on). Not after `unavailable` or
 * `internal`: the message may have been stored all the same (a group's or
 * host's answer lost); its retry grants again under the same key, which
 * counts once.
 */
export async function withdrawMedia(me: MediaSender, frame: SendFrame, err: unknown): Promise<void> {
  if (!(err instanceof AppError) || err.code === "unavailable" || err.code === "internal") return;
  await ungrantSent(me, frame);
}

/** Withdraws the grant of this send (its sender and clientId), and only it: a refused send's. */
async function ungrantSent(me: MediaSender, frame: SendFrame): Promise<void> {
  const media = frame.media;
  if (!media) return;
  const { clientId, chat } = frame;
  try {
    if (ownerOf(media.id) === me.userId) me.media.withdraw(media.id, chat, me.userId, clientId);
    else {
      const owner = me.env.USERS.get(me.env.USERS.idFromName(ownerOf(media.id)));
      await owner.ungrantMedia(media.id, chat, me.userId, clientId);
    }
  } catch (cause) {
    console.warn(JSON.stringify({ event: "media_withdraw_failed", media: media.id, error: String(cause) }));
  }
}

/** Only the fields of its kind: pixel size and preview for a photo, duration for a voice note. */
function shaped(media: Media): Media {
  const { id, kind, mime, size, name, width, height, duration, preview } = media;
  const out: Media = { id, kind, mime, size };
  if (name !== undefined) out.name = name;
  if (kind === "photo") {
    if (width !== undefined && height !== undefined) {
      out.width = width;
      out.height = height;
    }
    if (preview !== undefined) out.preview = preview;
  }
  if (kind === "voice" && duration !== undefined) out.duration = duration;
  return out;
}
