// Reads a request body of at most `max` bytes. A declared Content-Length over
// the limit is refused before reading anything; a body sent without one
// (chunked) is counted as it streams and cut off at the limit, so an upload
// never costs more than `max` bytes of memory.

import { AppError } from "../../shared/errors";

export async function readBytes(request: Request, max: number): Promise<Uint8Array> {
  const tooLarge = () => new AppError("too_large", `the body must be at most ${max} bytes`);
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > max) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}
