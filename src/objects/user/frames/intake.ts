// A text frame from a device, up to its handler: the frame budget, the size
// limit, JSON, its line in the table (./table.ts) and that line's schema;
// then the handler, in turn when the line says so.

import { AppError } from "../../../shared/errors";
import { FRAME_MAX_BYTES } from "../../../shared/limits";
import { type ClientFrame, checkClientFrame, readClientFrame } from "../../../shared/protocol";
import { utf8Length } from "../../../shared/text-rules";
import { answerTo } from "../frame-errors";
import type { UserParts } from "../parts";
import type { TokenBucket } from "../rate-limit";
import { type AnyRoute, routeOf } from "./table";

export interface Admitted {
  frame: ClientFrame;
  route: AnyRoute;
}

/**
 * Every frame counts, malformed, binary and oversized ones too: answering
 * them costs as much. Over the budget, the answer is rate_limited whatever
 * was wrong, with the clientId when readable.
 */
export function admit(budget: TokenBucket, data: string | ArrayBuffer): Admitted {
  const allowed = budget.take();
  const limited = () => new AppError("rate_limited", "too many frames; slow down");
  const refuse = (err: AppError) => (allowed ? err : limited());
  if (typeof data !== "string") throw refuse(new AppError("bad_frame", "frames must be JSON text"));
  if (overFrameLimit(data)) {
    throw refuse(new AppError("too_large", `frames must be at most ${FRAME_MAX_BYTES} bytes of UTF-8`));
  }
  let admitted: Admitted;
  try {
    const fields = readClientFrame(data);
    const route = routeOf(fields.type);
    admitted = { frame: checkClientFrame(route.schema, fields), route };
  } catch (err) {
    throw err instanceof AppError ? refuse(err) : err;
  }
  if (!allowed) throw answerTo(limited(), admitted.frame);
  return admitted;
}

export function handOver(me: UserParts, ws: WebSocket, { route, frame }: Admitted): Promise<void> | void {
  return route.inTurn ? me.inTurn(async () => route.handle(me, ws, frame)) : route.handle(me, ws, frame);
}

/** Over FRAME_MAX_BYTES of UTF-8; the byte count is walked only where units alone cannot tell. */
function overFrameLimit(data: string): boolean {
  if (data.length > FRAME_MAX_BYTES) return true; // a UTF-16 unit is at least one byte
  if (data.length * 3 <= FRAME_MAX_BYTES) return false; // and at most three
  return utf8Length(data) > FRAME_MAX_BYTES;
}
