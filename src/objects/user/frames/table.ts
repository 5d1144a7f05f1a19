// Every frame a client may send, one line each: its schema (shared/schemas/
// client-frames.ts) and the handler it goes to (a module of this folder). The
// object's shell reads a frame, finds its line here and hands it over
// (./intake.ts); the type below makes a frame without a line a compile error.
// Adding a frame: its schema in CLIENT_FRAMES, a line here, a handler module
// (docs/architecture.md, "Adding a frame").

import { CLIENT_FRAMES, type ClientFrame, type ClientFrameOf, type ClientFrameType } from "../../../shared/protocol";
import type { ClientFrameSchema } from "../../../shared/schemas/client-frames";
import type { UserParts } from "../parts";
import { onChange } from "./change";
import { onReact } from "./react";
import { onRead } from "./read";
import { onReceived } from "./received";
import { onSend } from "./send";
import { onSubscribe } from "./subscribe";
import { onSync } from "./sync";
import { onTyping } from "./typing";

export type FrameHandler<F> = (me: UserParts, ws: WebSocket, frame: F) => Promise<void> | void;

export interface FrameRoute<K extends ClientFrameType> {
  schema: (typeof CLIENT_FRAMES)[K];
  handle: FrameHandler<ClientFrameOf<K>>;
  /** Waits for the turn of the sends, edits and deletes before it (UserParts.inTurn), to keep their order. */
  inTurn?: true;
}

export const FRAMES: { [K in ClientFrameType]: FrameRoute<K> } = {
  send: { schema: CLIENT_FRAMES.send, handle: onSend, inTurn: true },
  edit: { schema: CLIENT_FRAMES.edit, handle: onChange, inTurn: true },
  delete: { schema: CLIENT_FRAMES.delete, handle: onChange, inTurn: true },
  react: { schema: CLIENT_FRAMES.react, handle: onReact, inTurn: true },
  received: { schema: CLIENT_FRAMES.received, handle: onReceived },
  read: { schema: CLIENT_FRAMES.read, handle: onRead },
  sync: { schema: CLIENT_FRAMES.sync, handle: onSync },
  typing: { schema: CLIENT_FRAMES.typing, handle: onTyping },
  subscribe: { schema: CLIENT_FRAMES.subscribe, handle: onSubscribe },
};

/** A line with its type forgotten: its handler is only ever given what its own schema answered. */
export interface AnyRoute {
  schema: ClientFrameSchema;
  handle: FrameHandler<ClientFrame>;
  inTurn?: true;
}

export function routeOf(type: ClientFrameType): AnyRoute {
  return FRAMES[type] as unknown as AnyRoute;
}
