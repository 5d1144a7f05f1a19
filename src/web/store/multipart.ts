// A big file goes up in parts (docs/protocol.md, "Media": every part but the
// last exactly `partSize`), and the server says which parts it has, so an
// upload broken off (a failed part, or a reload of the page) is resumed by
// sending only the missing ones.

import type { MediaKind, MultipartState, UploadAnswer } from "../../shared/schemas/media";
import { type Progress, xhr } from "./xhr";

export function startParts(token: string | undefined, kind: MediaKind, size: number): Promise<MultipartState> {
  return xhr<MultipartState>({
    method: "POST",
    url: "/api/media/uploads",
    token,
    json: true,
    body: JSON.stringify({ kind, size }),
  });
}

/** Which parts the server has (an upload no longer in progress is refused: `unknown_media`). */
export function partsState(token: string | undefined, id: string): Promise<MultipartState> {
  return xhr<MultipartState>({ method: "GET", url: `/api/media/uploads/${id}`, token });
}

/** Gives an upload up: the server takes no more parts and deletes those it has. */
export function abandonParts(token: string | undefined, id: string): Promise<unknown> {
  return xhr<unknown>({ method: "DELETE", url: `/api/media/uploads/${id}`, token });
}

/** Bytes already there, for a progress bar that starts where the upload stopped. */
export function bytesDone(state: MultipartState): number {
  const last = Math.ceil(state.size / state.partSize);
  return state.parts.reduce(
    (sum, n) => sum + (n === last ? state.size - (last - 1) * state.partSize : state.partSize),
    0,
  );
}

/** Sends the parts `state` lacks (a part that fails is sent again once, after asking which arrived), then completes. */
export async function sendParts(
  token: string | undefined,
  file: Blob,
  state: MultipartState,
  onProgress: Progress,
): Promise<UploadAnswer> {
  const count = Math.ceil(file.size / state.partSize);
  const base = `/api/media/uploads/${state.id}`;
  let done = new Set(state.parts);
  let before = bytesDone(state);
  for (let part = 1; part <= count; part++) {
    if (done.has(part)) continue;
    const from = (part - 1) * state.partSize;
    const body = file.slice(from, Math.min(file.size, from + state.partSize));
    const sent = before;
    const put = () =>
      xhr({
        method: "PUT",
        url: `${base}/parts/${part}`,
        token,
        body,
        onUpload: (n) => onProgress(sent + n, file.size),
      });
    try {
      await put();
    } catch {
      done = new Set((await partsState(token, state.id)).parts);
      if (!done.has(part)) await put();
    }
    before += body.size;
  }
  return xhr<UploadAnswer>({ method: "POST", url: `${base}/complete`, token });
}
