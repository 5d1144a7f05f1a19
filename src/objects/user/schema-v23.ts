// Schema step 23 of the user object (./schema.ts), in a file of its own for
// its comment; like every step that has shipped, never edited once it has.

import type { SchemaStep } from "../storage/schema";
import { LEGACY_REF, MEDIA_REFS_TABLE } from "./media-store";

// v23: a media's grants keyed by the send that made them (./media-store.ts,
// `media_refs`; docs/one-copy-per-chat.md, "Retries and grants"): one row per
// referring send (sender and clientId), so a retried send grants once. A
// count of `media_grants` becomes as many rows with no send known (":1",
// ":2", ...); a delete whose own row is not found releases one of those
// first. The counts stay: the chats that may read a media, and when its
// bytes go, are as before.
export const STEP_23: SchemaStep = (sql) => {
  sql.exec(MEDIA_REFS_TABLE);
  sql.exec(
    `INSERT INTO media_refs (media, chat, ref)
       WITH RECURSIVE n(i) AS (
         SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < (SELECT coalesce(max(refs), 0) FROM media_grants)
       )
       SELECT g.media, g.chat, ? || n.i FROM media_grants g JOIN n ON n.i <= g.refs`,
    LEGACY_REF,
  );
  sql.exec("DROP TABLE media_grants");
};
