// `subscribe`: this device watches these users' presence (../watcher.ts).

import type { ClientFrameOf } from "../../../shared/protocol";
import type { UserParts } from "../parts";

export function onSubscribe(me: UserParts, ws: WebSocket, frame: ClientFrameOf<"subscribe">): Promise<void> {
  return me.presence.watcher.subscribe(ws, frame.users);
}
