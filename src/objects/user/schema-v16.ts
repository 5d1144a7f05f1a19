// Schema step 16 of the user object (./schema.ts), in a file of its own for its
// length; like every step that has shipped, never edited.

import type { SchemaStep } from "../storage/schema";

// v16: a group's batch of receipts (`by` = '*') leaves the rid index: one
// row written instead of two per batch, and a quiet group makes a batch per
// message (docs/groups.md). The group hands a batch over again only after a
// failed call and says so; the mailbox then looks for its rid among the
// newest rows (./mailbox.ts). One-to-one receipts keep the unique index.
// A table rebuild (an inline UNIQUE cannot be dropped); seqs stay.
export const STEP_16: SchemaStep = (sql) => {
  sql.exec(`CREATE TABLE receipts_v16 (
    seq INTEGER PRIMARY KEY,
    rid TEXT NOT NULL,
    chat TEXT NOT NULL,
    ids TEXT NOT NULL,
    status TEXT NOT NULL,
    by TEXT NOT NULL,
    ts INTEGER NOT NULL
  )`);
  sql.exec(
    "INSERT INTO receipts_v16 (seq, rid, chat, ids, status, by, ts) SELECT seq, rid, chat, ids, status, by, ts FROM receipts",
  );
  sql.exec("DROP TABLE receipts");
  sql.exec("ALTER TABLE receipts_v16 RENAME TO receipts");
  sql.exec("CREATE UNIQUE INDEX receipts_by_rid ON receipts(rid) WHERE by != '*'");
};
