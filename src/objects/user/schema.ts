// The user object's SQLite schema, as versioned steps (see storage/schema.ts).
// Never edit a step that has shipped: add a new one.

import { ARCHIVE_PAGES_TABLE } from "../storage/archive-index";
import type { SchemaStep } from "../storage/schema";
import { RUN_PAGES_INDEX, RUN_PAGES_TABLE } from "./group-chat-store";
import { ARCHIVE_CHATS_TABLE } from "./mailbox-archive-index";
import {
  STEP_1,
  STEP_2,
  STEP_3,
  STEP_4,
  STEP_5,
  STEP_6,
  STEP_7,
  STEP_8,
  STEP_9,
  STEP_10,
  STEP_11,
  STEP_12,
} from "./schema-v1-v12";
import { STEP_13 } from "./schema-v13";
import { STEP_16 } from "./schema-v16";
import { STEP_17 } from "./schema-v17";
import { STEP_19 } from "./schema-v19";
import { STEP_20 } from "./schema-v20";
import { STEP_21 } from "./schema-v21";
import { STEP_22 } from "./schema-v22";
import { STEP_23 } from "./schema-v23";

export const USER_SCHEMA: readonly SchemaStep[] = [
  // Steps 1 to 12, whole in ./schema-v1-v12.ts:
  // v1: the mailbox, chats, receipts, contacts and the outbox.
  STEP_1,
  // v2: presence subscriptions, both sides.
  STEP_2,
  // v3: full-text search over message text.
  STEP_3,
  // v4: the search index with prefix indexes for 1 and 2 characters.
  STEP_4,
  // v5: message actions (reply, edit, delete), receipts per reader, blocked users.
  STEP_5,
  // v6: a contact is someone this user wrote to.
  STEP_6,
  // v7: a one-to-one message at fewer rows written (issue 16).
  STEP_7,
  // v8: a group message stored once, in its group's log (issue 16).
  STEP_8,
  // v9: muted chats (issue 18).
  STEP_9,
  // v10: Web Push subscriptions (issue 18).
  STEP_10,
  // v11: reactions and forwards (issue 18).
  STEP_11,
  // v12: photos, files and voice notes (issue 18).
  STEP_12,
  // v13: a one-to-one message at fewer rows written again (issue 16, item 5;
  // docs/architecture.md, "Rows per message").
  STEP_13,
  // v14: the mailbox's archive (issue 17; ./mailbox-archive.ts, docs/archive.md).
  // One row per page written to R2 (positions are seqs), and per page the
  // chats it holds with their lowest and highest ids: what history, quotes,
  // message info and the refusal of edits look up without reading R2.
  (sql) => {
    sql.exec(ARCHIVE_PAGES_TABLE);
    sql.exec(ARCHIVE_CHATS_TABLE);
  },
  // v15: a group's ended runs stay in its row (`ended`, JSON) until RUN_PAGE
  // of them leave as one row of `group_run_pages` (./group-chats.ts): at a
  // low rate every receipt ends the sender's run, and a `group_runs` row per
  // run (and its index) was two rows written per message. Self-contained:
  // the runs already in `group_runs` stay there and are read as before.
  (sql) => {
    sql.exec("ALTER TABLE group_chats ADD COLUMN ended TEXT");
    sql.exec(RUN_PAGES_TABLE);
    sql.exec(RUN_PAGES_INDEX);
  },
  // v16: a group's batch of receipts leaves the rid index (./schema-v16.ts).
  STEP_16,
  // v17: the search index fed in batches of new messages (./schema-v17.ts).
  STEP_17,
  // v18: one-to-one receipts leave the rid index too, as a group's batches
  // did in step 16: an index page written per receipt. A receipt delivered
  // from a reader's outbox says `retry` and is looked for among the newest
  // rows (./mailbox.ts); one sent straight is new.
  (sql) => {
    sql.exec("DROP INDEX IF EXISTS receipts_by_rid");
  },
  // v19: one-to-one chats hosted in one of the two mailboxes: the retry key
  // (sender, clientId), a guest's seq and a chat's positions (./schema-v19.ts).
  STEP_19,
  // v20: edits, deletes and reactions in a hosted chat's log, with positions (./schema-v20.ts).
  STEP_20,
  // v21: the retry key in a table filled in batches, no index page per message (./schema-v21.ts).
  STEP_21,
  // v22: the host's own version of a row its blocked guest changed (./schema-v22.ts).
  STEP_22,
  // v23: a media's grants keyed by the send that made them, so a retry grants once (./schema-v23.ts).
  STEP_23,
];
