// Schema step 19 of the user object (./schema.ts), in a file of its own for
// its comment; like every step that has shipped, never edited once it has.

import type { SchemaStep } from "../storage/schema";

// v19: a one-to-one chat may be hosted here (docs/one-copy-per-chat.md, step
// 1; ./hosted-append.ts): the chat's one copy lives in the mailbox of the
// user whose id sorts first, and the other user (the guest) sends to it.
// Nothing is moved: every chat stays as it is (`hosted_from` NULL).
//
// - The retry key becomes (sender, clientId). Until now only own messages
//   had a client_id, and the key was client_id alone; a guest's message
//   carries the guest's clientId, which must never answer for (or be refused
//   by) one of the owner's own sends, whatever the guest picks. One index
//   still: client_id first, so a lookup by client_id alone (the code before
//   this step, if rolled back) still uses it. An entry is a sender id longer;
//   still one index page written per message.
//   Every reader of client_id now says whose (`sender = owner` for own
//   messages: ./mailbox-reads.ts, toMessage, ./mailbox.ts acceptMessage).
//   Step 7's "own messages are the rows with a clientId" held when it ran
//   (no guest rows then) and is not read since.
// - `guest_seq`: the seq the guest gave its message in its own mailbox, sent
//   with it and kept, so that a retry answers the same seq (the guest writes
//   nothing before `sent`).
// - `pos`: the message's position in a hosted chat (1, 2, ...: contiguous per
//   chat, which host seqs are not), what a guest's runs map to its seqs.
//   Ids of a hosted chat's messages come from the host's id clock, each after
//   the chat's newest id, so id order is position order within the chat and
//   the (chat, id) index serves reads by position: no index on `pos`.
// - On `chats`: `hosted_from`, the chat's newest id when hosting began ("" for
//   a chat that began hosted; NULL: not hosted, read as today), written at
//   once when it is set; `next_pos`, the chat's next position, written with
//   the chat rows and found again from the newest `pos` after a crash
//   (./mailbox-chats.ts).
export const STEP_19: SchemaStep = (sql) => {
  sql.exec("DROP INDEX messages_by_client_id");
  sql.exec("CREATE UNIQUE INDEX messages_by_client_id ON messages(client_id, sender) WHERE client_id IS NOT NULL");
  sql.exec("ALTER TABLE messages ADD COLUMN guest_seq INTEGER");
  sql.exec("ALTER TABLE messages ADD COLUMN pos INTEGER");
  sql.exec("ALTER TABLE chats ADD COLUMN hosted_from TEXT");
  sql.exec("ALTER TABLE chats ADD COLUMN next_pos INTEGER");
};
