// Helpers for the tests of a guest's media and forwards in a hosted chat
// (user/hosted-media*.test.ts): the pair with devices, a host that fails, and
// the media rows as stored.

import { runInDurableObject } from "cloudflare:test";
import type { ChatId, Media } from "../shared/protocol";
import type { UploadAnswer } from "../shared/schemas/media";
import { clearAlarms } from "./groups";
import { connect, type TestSocket, userStub } from "./helpers";
import { hostAndGuest, hostedSendOff, hostedSendOn } from "./hosted";

/** A guest and its host, the guest's send switched on, a device each (the guest two), and the chat as the guest names it. */
export async function hostedPair(on = true) {
  const { host, guest } = await hostAndGuest();
  // Off is pinned, not left to the run's default: those tests are of today's copies.
  await (on ? hostedSendOn : hostedSendOff)(guest.user.id);
  const chat: ChatId = `u:${host.user.id}`;
  const g1 = await connect(guest.token);
  const g2 = await connect(guest.token);
  const h = await connect(host.token);
  for (const s of [g1, g2, h]) await s.speak();
  const end = async (...more: TestSocket[]) => {
    for (const s of [g1, g2, h, ...more]) s.close();
    await clearAlarms([], [host.user.id, guest.user.id]);
  };
  return { host, guest, chat, g1, g2, h, end };
}

/** An upload as a `send` frame carries it. */
export function mediaOf(answer: UploadAnswer, extra: Partial<Media> = {}): Media {
  return { ...answer, ...extra } as Media;
}

/** The uploader's grants as stored: chat key and how many messages there refer to the media. */
export async function grantsOf(uploader: string): Promise<{ media: string; chat: string; refs: number }[]> {
  return runInDurableObject(userStub(uploader), (_i, state) =>
    state.storage.sql
      .exec<{ media: string; chat: string; refs: number }>("SELECT media, chat, refs FROM media_grants ORDER BY chat")
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
