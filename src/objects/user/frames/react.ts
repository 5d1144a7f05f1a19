// `react`: this user's one reaction to a message (../react.ts,
// docs/actions.md). It takes turns with the sends, after the message it names.

import type { ClientFrameOf } from "../../../shared/protocol";
import type { UserParts } from "../parts";
import { react } from "../react";
import { actor } from "../sides";

export function onReact(me: UserParts, ws: WebSocket, frame: ClientFrameOf<"react">): Promise<void> {
  return react({ ...actor(me), blocks: me.blocks }, ws, frame);
}
