// FTS5's own check of a mailbox's search index, whose newest messages may wait
// in a tail (src/objects/user/search-triggers.ts): with the tail indexed, the
// index must hold exactly the rows of `messages` (a tail row already in it
// would be there twice). Done in a transaction that is rolled back, so the
// object's index is left as it was; returns what `look` found meanwhile.

import { indexSearchTail } from "../objects/user/search-triggers";

export function checkSearchIndex<T>(state: DurableObjectState, look: () => T = () => undefined as T): T {
  const rollback = new Error("rollback");
  let result: T | undefined;
  try {
    state.storage.transactionSync(() => {
      indexSearchTail(state.storage.sql);
      state.storage.sql.exec("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
      result = look();
      throw rollback;
    });
  } catch (err) {
    if (err !== rollback) throw err;
  }
  return result as T;
}
