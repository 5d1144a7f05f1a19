// Rows of a hosted chat that the host deleted for itself (docs/one-copy-per-chat.md,
// "Delete for me in a hosted chat, as built"). The row stays: it is the guest's
// only copy. Its id goes to `forgotten`, as a forgotten message's does, and the
// host's own reads leave it out with this condition. Outside hosted chats no row
// of `messages` has its id in `forgotten` (a delete for me deletes the row), so
// the condition changes nothing there. A message of a guest the host blocks
// is stored marked the same way (./hosted-append.ts), and so is the cid of
// such a guest's edit or reaction (./changes.ts, `unseen`): docs/one-copy-
// per-chat.md, "Blocking in a hosted chat, as built".

/** SQL: the row whose id is `column` (qualified, e.g. `m.id`) is shown to the mailbox's owner. */
export function shown(column: string): string {
  return `NOT EXISTS (SELECT 1 FROM forgotten WHERE forgotten.id = ${column})`;
}
