// `edit` and `delete`: changes to a message already sent (../actions.ts,
// docs/actions.md). They take turns with the sends, after the message they change.

import type { ClientFrameOf } from "../../../shared/protocol";
import { act } from "../actions";
import type { UserParts } from "../parts";
import { actor } from "../sides";

export function onChange(me: UserParts, ws: WebSocket, frame: ClientFrameOf<"edit" | "delete">): Promise<void> {
  return act(actor(me), ws, frame);
}
