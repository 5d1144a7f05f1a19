// Schema step 21 of the user object (./schema.ts), in a file of its own for
// its comment; like every step that has shipped, never edited once it has.

import type { SchemaStep } from "../storage/schema";
import { createRetryKeyTriggers, RETRY_KEYS_TABLE, RETRY_UPTO_KEY } from "./retry-keys";
import { FTS_UPTO_KEY } from "./search-triggers";

// v21: the retry key (sender, clientId) leaves the unique index on
// `messages` for a table filled in batches (./retry-keys.ts): a message's
// commit no longer writes an index page of its own. The table's position
// starts at the search index's (step 17), so that both tails fill in the
// same commits and their meta rows share a page; the keys up to it go into
// the table, those above are its tail. The index goes, and the triggers that
// fill the table come.
export const STEP_21: SchemaStep = (sql) => {
  sql.exec(RETRY_KEYS_TABLE);
  sql.exec(
    `INSERT INTO meta (key, value)
       SELECT ?, coalesce((SELECT value FROM meta WHERE key = ?), CAST(coalesce(max(seq), 0) AS TEXT)) FROM messages
       WHERE true ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    RETRY_UPTO_KEY,
    FTS_UPTO_KEY,
  );
  sql.exec(
    `INSERT INTO retry_keys (client_id, seq) SELECT client_id, seq FROM messages
       WHERE client_id IS NOT NULL AND seq <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?)`,
    RETRY_UPTO_KEY,
  );
  sql.exec("DROP INDEX messages_by_client_id");
  createRetryKeyTriggers(sql);
};
