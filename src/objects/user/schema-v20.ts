// Schema step 20 of the user object (./schema.ts), in a file of its own for
// its comment; like every step that has shipped, never edited once it has.

import type { SchemaStep } from "../storage/schema";

// v20: changes in a hosted chat's log (docs/one-copy-per-chat.md, "Changes in
// a hosted chat, as built"; ./hosted-log.ts). In a group's log an edit, a
// delete for everyone and a reaction are entries with positions of their own;
// in a chat hosted here they become the same: a `changes` row whose target has
// a position takes the chat's next one (`chats.next_pos`, the counter messages
// take theirs from), so that the chat's log is messages and changes in one
// dense order. Nothing is moved: no chat is hosted yet, and every row written
// before this step keeps `pos` NULL (a change of a message before
// `hosted_from` is not part of the log).
//
// - `pos`: the change's position (NULL: not an entry of a hosted log).
// - A reaction in a hosted log is an entry of its own at each reaction (kind
//   `reacted`), as a group's is: positions are never moved nor reused (a
//   guest's runs map them to its seqs), so the one-to-one `react` row, moved
//   to a new seq at each reaction, cannot carry them. `changes_by_reacted`
//   (kind `react`) is left as it is.
// - `guest`, `guest_client_id`: a change the guest asked for
//   (UserObject.hostedChange) carries the guest's clientId, its retry key
//   (guest, clientId), apart from the owner's own keys (`client_id`, unique
//   alone), whatever the guest picks.
// - `changes_in_log`: a hosted chat's change entries in id order (their ids,
//   `cid`, come from this object's clock after the chat's newest entry, so id
//   order is position order, as for its messages); partial, so no other
//   change writes an entry.
export const STEP_20: SchemaStep = (sql) => {
  sql.exec("ALTER TABLE changes ADD COLUMN pos INTEGER");
  sql.exec("ALTER TABLE changes ADD COLUMN guest TEXT");
  sql.exec("ALTER TABLE changes ADD COLUMN guest_client_id TEXT");
  sql.exec("CREATE INDEX changes_in_log ON changes(chat, cid) WHERE pos IS NOT NULL");
  sql.exec(
    "CREATE UNIQUE INDEX changes_by_guest_key ON changes(guest, guest_client_id) WHERE guest_client_id IS NOT NULL",
  );
};
