// The one place where an error thrown while handling a WebSocket frame becomes
// the AppError its `error` frame carries (the HTTP twin is
// workers/error-handler.ts). An AppError is the answer as it is. A store
// briefly unreachable (a D1 lookup, another object's RPC: see
// shared/transient.ts) is `unavailable`, a warning and not a bug: nothing was
// stored, and the client sends the same frame again later. Anything else is
// `internal`, logged with its stack.
//
// The refused frame's clientId rides along whenever the frame had one, so a
// client knows which of its sends, edits or deletes to retry or give up,
// whatever part of the object threw.

import { AppError } from "../../shared/errors";
import { type ClientFrame, FrameError } from "../../shared/protocol";
import { isTransient, unavailable } from "../../shared/transient";

/** `frame` is undefined when the frame could not be read (parse errors carry their own clientId). */
export function frameError(err: unknown, frame: ClientFrame | undefined, userId: string): AppError {
  const answer = classify(err, frame?.type, userId);
  return frame ? answerTo(answer, frame) : answer;
}

/** `err` as the answer to `frame`: with its clientId when it has one. */
export function answerTo(err: AppError, frame: ClientFrame): AppError {
  return "clientId" in frame ? withClientId(err, frame.clientId) : err;
}

function classify(err: unknown, type: string | undefined, userId: string): AppError {
  if (err instanceof AppError) return err;
  if (isTransient(err)) {
    console.warn(JSON.stringify({ event: "frame_unavailable", userId, frame: type, error: String(err) }));
    return unavailable();
  }
  console.error(
    JSON.stringify({ event: "frame_error", userId, frame: type, error: String(err), stack: (err as Error)?.stack }),
  );
  return new AppError("internal", "something went wrong; try again");
}

function withClientId(err: AppError, clientId: string): AppError {
  return err instanceof FrameError ? err : new FrameError(err, clientId);
}
