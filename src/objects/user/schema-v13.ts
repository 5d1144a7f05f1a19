// Schema step 13 of the user object (./schema.ts), in a file of its own for its
// length; like every step that has shipped, never edited.

import type { SchemaStep } from "../storage/schema";
import { LEGACY_GROUP_SEQ_KEY } from "./mailbox-chats";
import { createSearchTriggers, dropSearchTriggers } from "./search-triggers";

// v13: a one-to-one message at fewer rows written again (issue 16, item 5;
// docs/architecture.md, "Rows per message").
export const STEP_13: SchemaStep = (sql) => {
  // Receipts as positions (./mailbox-receipts.ts): per one-to-one chat, the
  // newest peer message delivered and read; a message an edit made unread
  // again is marked (`unread_mark`, only such rows enter its index). The
  // per-message delivered_at / read_at go: they were two rows written per
  // message. Peer messages are those of the chat's peer (u:<peer>).
  sql.exec("ALTER TABLE chats ADD COLUMN read_upto TEXT NOT NULL DEFAULT ''");
  sql.exec("ALTER TABLE chats ADD COLUMN delivered_upto TEXT NOT NULL DEFAULT ''");
  const peer = "m.chat = chats.chat AND m.sender = substr(chats.chat, 3) AND m.system IS NULL";
  sql.exec(`UPDATE chats SET
      read_upto = coalesce((SELECT max(m.id) FROM messages m WHERE ${peer} AND m.read_at IS NOT NULL), ''),
      delivered_upto = coalesce((SELECT max(m.id) FROM messages m WHERE ${peer} AND m.id <
        coalesce((SELECT min(m.id) FROM messages m WHERE ${peer} AND m.delivered_at IS NULL AND m.read_at IS NULL), '~')), '')
      WHERE chat LIKE 'u:%'`);
  sql.exec("UPDATE chats SET delivered_upto = read_upto WHERE delivered_upto < read_upto");
  // Group messages stored before step 8 are the only rows of `messages` no chat row covers,
  // and none come after them: a wake's repair of the chat rows starts above them.
  sql.exec(
    `INSERT INTO meta (key, value) SELECT ?, max(seq) FROM messages WHERE chat LIKE 'g:%' HAVING max(seq) IS NOT NULL`,
    LEGACY_GROUP_SEQ_KEY,
  );
  // One index fewer: `id` unique and `(chat, id)` become one unique
  // `(chat, id)` (a lookup by id alone goes through the chat list,
  // ./mailbox-lookup.ts). A table rebuild; seqs stay, so the search index
  // (keyed by seq) stays valid, and its triggers are made again.
  sql.exec(`CREATE TABLE messages_v13 (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL,
      chat TEXT NOT NULL,
      sender TEXT NOT NULL,
      text TEXT NOT NULL,
      ts INTEGER NOT NULL,
      client_id TEXT,
      system TEXT,
      edited_at INTEGER,
      deleted_at INTEGER,
      deleted_by TEXT,
      change_id TEXT,
      reply_to TEXT,
      reply_from TEXT,
      reply_excerpt TEXT,
      forwarded INTEGER,
      media TEXT,
      unread_mark INTEGER
    )`);
  const columns =
    "seq, id, chat, sender, text, ts, client_id, system, edited_at, deleted_at, deleted_by, change_id, reply_to, reply_from, reply_excerpt, forwarded, media";
  // Read peer messages below the read position that are unread (an edit reset them) keep that as a mark.
  sql.exec(`INSERT INTO messages_v13 (${columns}, unread_mark)
      SELECT ${columns.replace(/(\w+)/g, "m.$1")},
        CASE WHEN m.read_at IS NULL AND m.system IS NULL AND c.chat IS NOT NULL AND m.id < c.read_upto THEN 1 END
      FROM messages m LEFT JOIN chats c ON c.chat = m.chat AND c.chat LIKE 'u:%' AND m.sender = substr(c.chat, 3)`);
  dropSearchTriggers(sql);
  sql.exec("DROP TABLE messages");
  sql.exec("ALTER TABLE messages_v13 RENAME TO messages");
  sql.exec("CREATE UNIQUE INDEX messages_by_chat ON messages(chat, id)");
  sql.exec("CREATE UNIQUE INDEX messages_by_client_id ON messages(client_id) WHERE client_id IS NOT NULL");
  sql.exec("CREATE INDEX messages_by_reply ON messages(reply_to) WHERE reply_to IS NOT NULL");
  sql.exec("CREATE INDEX messages_unread_mark ON messages(chat, id) WHERE unread_mark IS NOT NULL");
  createSearchTriggers(sql);
};
