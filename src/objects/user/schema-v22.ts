// Schema step 22 of the user object (./schema.ts), in a file of its own for
// its comment; like every step that has shipped, never edited once it has.

import type { SchemaStep } from "../storage/schema";

// v22: the host's own version of a hosted row its blocked guest changed
// (./host-views.ts; docs/one-copy-per-chat.md, "Blocking in a hosted chat, as
// built"). One row per message first edited or reacted to by a blocked guest:
// the text (and its edit time) and the guest's reaction ('' for none) as the
// host last saw them; NULL: that part was not saved. Keyed by message id
// alone, WITHOUT ROWID, so a write touches one b-tree. Nothing is moved: a
// row changed while blocked before this step keeps showing its current text.
export const STEP_22: SchemaStep = (sql) => {
  sql.exec("CREATE TABLE host_views (id TEXT PRIMARY KEY, text TEXT, edited_at INTEGER, reaction TEXT) WITHOUT ROWID");
};
