// `typing`: relayed to the chat's other side, never stored (../typing.ts).

import { type ClientFrameOf, parseChat } from "../../../shared/protocol";
import type { UserParts } from "../parts";

export function onTyping(me: UserParts, _ws: WebSocket, frame: ClientFrameOf<"typing">): Promise<void> | void {
  // Someone this user blocked sees nothing of it, typing included.
  const ref = parseChat(frame.chat);
  if (ref.kind === "user" && me.blocks.has(ref.id)) return;
  return me.presence.typing.typing(frame.chat);
}
