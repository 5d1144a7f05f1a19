// Frames in: parse a socket's text and route each frame to its handler. A
// replay (a sync's entries, many to a frame: we ask with `batch: true`) is
// unpacked into its entries.

import type { Message, ServerFrame } from "../shared/protocol";
import type { ChangeFrame } from "./sync-cursor";

type Frame<T extends ServerFrame["type"]> = Extract<ServerFrame, { type: T }>;

export interface FrameHandlers {
  message(message: Message): void;
  sent(frame: Frame<"sent">): void;
  synced(seq: number): void;
  error(frame: Frame<"error">): void;
  change(frame: ChangeFrame): void;
  /** Frames only passed on to the application. */
  notice(frame: Frame<"receipt" | "presence" | "typing" | "chat">): void;
}

/** Undefined for `pong` and for text that is not ours to understand. */
export function parseFrame(data: string): ServerFrame | undefined {
  if (data === "pong") return undefined;
  try {
    return JSON.parse(data) as ServerFrame;
  } catch {
    return undefined;
  }
}

export function dispatch(frame: ServerFrame, to: FrameHandlers): void {
  switch (frame.type) {
    case "replay":
      for (const entry of frame.frames) dispatch(entry, to);
      break;
    case "message":
      to.message(frame.message);
      break;
    case "sent":
      to.sent(frame);
      break;
    case "synced":
      to.synced(frame.seq);
      break;
    case "error":
      to.error(frame);
      break;
    case "update":
    case "removed":
      to.change(frame);
      break;
    case "receipt":
    case "presence":
    case "typing":
    case "chat":
      to.notice(frame);
      break;
  }
}
