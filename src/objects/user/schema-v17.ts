// Schema step 17 of the user object (./schema.ts), in a file of its own for
// its comment; like every step that has shipped, never edited once it has.

import type { SchemaStep } from "../storage/schema";
import { createBatchedSearchTriggers, dropSearchTriggers, FTS_UPTO_KEY } from "./search-triggers";

// v17: the search index is fed in batches (./search-triggers.ts): everything
// stored so far is in it, so its position starts at the newest seq, and the
// triggers are made again to index new messages in batches. Nothing is
// re-indexed: the step writes one meta row and the three triggers.
export const STEP_17: SchemaStep = (sql) => {
  dropSearchTriggers(sql);
  sql.exec(
    `INSERT INTO meta (key, value) SELECT ?, CAST(coalesce(max(seq), 0) AS TEXT) FROM messages WHERE true
       ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    FTS_UPTO_KEY,
  );
  createBatchedSearchTriggers(sql);
};
