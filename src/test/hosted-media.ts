// Helpers for the tests of a guest's media and forwards in a hosted chat
// (user/hosted-media*.test.ts): the pair with devices, a host that fails, and
// the media rows as stored.

import { runInDurableObject } from "cloudflare:test";
import type { Media } from "../shared/protocol";
import type { UploadAnswer } from "../shared/schemas/media";
import { userStub } from "./helpers";
import type { hostedDevices } from "./hosted";
import { hostFails } from "./hosted-faults";
import { PNG } from "./images";
import { uploaded } from "./media";

/** An upload as a `send` frame carries it. */
export function mediaOf(answer: UploadAnswer, extra: Partial<Media> = {}): Media {
  return { ...answer, ...extra } as Media;
}

/** The uploader's grants as stored: chat key and how many messages (sends) there refer to the media. */
export async function grantsOf(uploader: string): Promise<{ media: string; chat: string; refs: number }[]> {
  return runInDurableObject(userStub(uploader), (_i, state) =>
    state.storage.sql
      .exec<{ media: string; chat: string; refs: number }>(
        "SELECT media, chat, count(*) AS refs FROM media_refs GROUP BY media, chat ORDER BY chat",
      )
      .toArray(),
  );
}

/** A user's message rows with their media and hops (the host's one copy; a guest's none). */
export async function mediaMessageRows(
  userId: string,
): Promise<{ id: string; sender: string; pos: number | null; media: string | null; forwarded: number | null }[]> {
  return runInDurableObject(userStub(userId), (_i, state) =>
    state.storage.sql
      .exec<{ id: string; sender: string; pos: number | null; media: string | null; forwarded: number | null }>(
        "SELECT id, sender, pos, media, forwarded FROM messages ORDER BY seq",
      )
      .toArray(),
  );
}

/**
 * The guest uploads a photo and sends it while its host's `appendFromGuest`
 * fails (after its commit, or before): the photo, the send's answer (an
 * `unavailable` error frame) and the host's restore.
 */
export async function photoWhileHostFails(
  devices: Awaited<ReturnType<typeof hostedDevices>>,
  clientId: string,
  afterCommit: boolean,
) {
  const { host, guest, chat, g1 } = devices;
  const photo = await uploaded(guest.token, "photo", PNG);
  const restore = await hostFails(guest.user.id, host.user.id, "appendFromGuest", afterCommit);
  g1.send({ type: "send", clientId, chat, media: mediaOf(photo) });
  const answer = await g1.next("error", (f) => f.clientId === clientId);
  return { photo, answer, restore };
}
