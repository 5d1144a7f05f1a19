// `sync`: what a device missed since the seq it gives (../sync.ts), the
// groups' part included.

import type { ClientFrameOf } from "../../../shared/protocol";
import { rememberBatches } from "../live-batches";
import type { UserParts } from "../parts";
import { whileSyncing } from "../sockets";
import { replay } from "../sync";

export function onSync(me: UserParts, ws: WebSocket, frame: ClientFrameOf<"sync">): Promise<void> {
  // The groups' part is read first (awaits); the replay itself is one synchronous block.
  const batch = frame.batch === true;
  rememberBatches(ws, batch);
  return whileSyncing(ws, async () => {
    const groups = await me.groupReads.replayEntries(frame.after);
    // Archived messages first, a few pages a round (../mailbox-archive-reads.ts).
    const after = await me.archiveReads.rounds(frame.after, (from, upTo, messages) => {
      replay(me.mailbox, ws, from, batch, groups(), { upTo, messages });
    });
    replay(me.mailbox, ws, after, batch, groups());
  });
}
